//! The loss chart: training and test loss against step, drawn with plotters on a canvas.
//!
//! JS keeps the (bounded) loss history and calls `drawLossChart` when it changes; this module
//! only draws (both charts through `draw_series`). With the log scale on, the y axis shows log₁₀ L, labelled with L itself.
//! Points that are not finite (a test loss not measured yet, a loss of 0 on a log scale) are
//! left out, which breaks the line there.
//!
//! `drawLossSeries` overlays any number of series (an experiment's runs) on one chart: each
//! has its own colour and steps, and may be dashed (a run's test loss beside its training loss).
//!
//! Text is measured by the canvas (`measureText`, see `MeasuredCanvas`), not by plotters' own
//! way, which adds a `<span>` with an inline `style` attribute that the page's CSP refuses.

use crate::wasm::fault;
use crate::wasm_argument as argument;
use plotters::prelude::*;
use plotters_backend::{BackendColor, BackendCoord, BackendStyle, BackendTextStyle, DrawingErrorKind};
use plotters_canvas::CanvasBackend;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{CanvasRenderingContext2d, HtmlCanvasElement};

/// plotters' canvas backend, measuring text with the canvas's own `measureText` in the font
/// `CanvasBackend::draw_text` sets, so no element and no inline style is added to the page.
struct MeasuredCanvas {
    inner: CanvasBackend,
    context: CanvasRenderingContext2d,
}

impl MeasuredCanvas {
    fn new(canvas: HtmlCanvasElement, what: &str) -> Result<MeasuredCanvas, JsValue> {
        let none = || fault("draw", &format!("the {what}'s canvas has no 2D context"));
        let context = canvas.get_context("2d").ok().flatten().ok_or_else(none)?;
        let context = context.dyn_into::<CanvasRenderingContext2d>().map_err(|_| none())?;
        let inner = CanvasBackend::with_canvas_object(canvas).ok_or_else(none)?;
        Ok(MeasuredCanvas { inner, context })
    }
}

type Failure = DrawingErrorKind<<CanvasBackend as DrawingBackend>::ErrorType>;

impl DrawingBackend for MeasuredCanvas {
    type ErrorType = <CanvasBackend as DrawingBackend>::ErrorType;

    fn get_size(&self) -> (u32, u32) {
        self.inner.get_size()
    }

    fn ensure_prepared(&mut self) -> Result<(), Failure> {
        self.inner.ensure_prepared()
    }

    fn present(&mut self) -> Result<(), Failure> {
        self.inner.present()
    }

    fn draw_pixel(&mut self, point: BackendCoord, color: BackendColor) -> Result<(), Failure> {
        self.inner.draw_pixel(point, color)
    }

    fn draw_line<S: BackendStyle>(&mut self, from: BackendCoord, to: BackendCoord, style: &S) -> Result<(), Failure> {
        self.inner.draw_line(from, to, style)
    }

    fn draw_rect<S: BackendStyle>(
        &mut self,
        upper_left: BackendCoord,
        bottom_right: BackendCoord,
        style: &S,
        fill: bool,
    ) -> Result<(), Failure> {
        self.inner.draw_rect(upper_left, bottom_right, style, fill)
    }

    fn draw_path<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        path: I,
        style: &S,
    ) -> Result<(), Failure> {
        self.inner.draw_path(path, style)
    }

    fn draw_circle<S: BackendStyle>(
        &mut self,
        center: BackendCoord,
        radius: u32,
        style: &S,
        fill: bool,
    ) -> Result<(), Failure> {
        self.inner.draw_circle(center, radius, style, fill)
    }

    fn fill_polygon<S: BackendStyle, I: IntoIterator<Item = BackendCoord>>(
        &mut self,
        vertices: I,
        style: &S,
    ) -> Result<(), Failure> {
        self.inner.fill_polygon(vertices, style)
    }

    fn draw_text<S: BackendTextStyle>(&mut self, text: &str, style: &S, pos: BackendCoord) -> Result<(), Failure> {
        self.inner.draw_text(text, style, pos)
    }

    fn estimate_text_size<S: BackendTextStyle>(&self, text: &str, style: &S) -> Result<(u32, u32), Failure> {
        let size = style.size();
        self.context.set_font(&format!("{} {size}px {}", style.style().as_str(), style.family().as_str()));
        let width = self.context.measure_text(text).map_or(0.0, |m| m.width());
        // A line's height, as the browser lays out one line of this font.
        Ok((width.ceil() as u32, (1.2 * size).ceil() as u32))
    }

    fn blit_bitmap(&mut self, pos: BackendCoord, size: (u32, u32), src: &[u8]) -> Result<(), Failure> {
        self.inner.blit_bitmap(pos, size, src)
    }
}

/// The training series' colour (blue) and the test series' (orange): the page's legend uses the same.
const TRAIN_COLOUR: RGBColor = RGBColor(0x1f, 0x6f, 0xb4);
const TEST_COLOUR: RGBColor = RGBColor(0xd9, 0x5f, 0x02);
const INK: RGBColor = RGBColor(0x33, 0x33, 0x33);
const GRID: RGBColor = RGBColor(0xe4, 0xe4, 0xe4);
/// The explosion's marker (the page's warning orange, darker for text).
const EXPLODED: RGBColor = RGBColor(0xb3, 0x4a, 0x00);

/// Draws the loss curves on `canvas` (its backing store is `width × height` device pixels;
/// `pixel_ratio` scales fonts and lines so they look the same on any screen).
/// `train` and `test` are indexed like `steps`; `test` may be empty.
#[wasm_bindgen(js_name = drawLossChart)]
pub fn draw_loss_chart(
    canvas: HtmlCanvasElement,
    steps: &[f64],
    train: &[f64],
    test: &[f64],
    log_scale: bool,
    pixel_ratio: f64,
) -> Result<(), JsValue> {
    let backend = MeasuredCanvas::new(canvas, "loss chart")?;
    let root = backend.into_drawing_area();
    // The test curve dashed, as in the legend (and drawn first, so the training curve stays on top).
    let series = [
        Series { points: plotted(steps, test, log_scale), colour: TEST_COLOUR, dashed: true, width: 2.0 },
        Series { points: plotted(steps, train, log_scale), colour: TRAIN_COLOUR, dashed: false, width: 2.0 },
    ];
    draw_series(&root, &series, log_scale, pixel_ratio.clamp(0.5, 4.0), None)
        .map_err(|e| fault("draw", &format!("cannot draw the loss chart: {e}")))
}

/// The loss chart of a session's history, with the step where training diverged marked;
/// `colours` are the training and test lines' 0xRRGGBB (the page's palette owns them).
pub(crate) fn draw_history(
    canvas: HtmlCanvasElement,
    history: &crate::history::History,
    log_scale: bool,
    pixel_ratio: f64,
    colours: (u32, u32),
) -> Result<(), JsValue> {
    let rgb = |c: u32| RGBColor((c >> 16) as u8, (c >> 8) as u8, c as u8);
    let backend = MeasuredCanvas::new(canvas, "loss chart")?;
    let root = backend.into_drawing_area();
    let series = [
        Series {
            points: plotted(&history.steps, &history.test, log_scale),
            colour: rgb(colours.1),
            dashed: true,
            width: 2.0,
        },
        Series {
            points: plotted(&history.steps, &history.train, log_scale),
            colour: rgb(colours.0),
            dashed: false,
            width: 2.0,
        },
    ];
    let marker = history.diverged_at.map(|s| s as f64);
    draw_series(&root, &series, log_scale, pixel_ratio.clamp(0.5, 4.0), marker)
        .map_err(|e| fault("draw", &format!("cannot draw the loss chart: {e}")))
}

/// Draws several loss series on one chart. Series k has `lengths[k]` points, taken in order
/// from `steps` and `losses` (concatenated); `styles[k]` is its colour 0xRRGGBB, plus
/// `DASHED` (0x1000000) for a dashed line. Lengths and styles come as numbers (a
/// `Uint32Array` or an array), each checked to be whole and in range, not wrapped.
#[wasm_bindgen(js_name = drawLossSeries)]
pub fn draw_loss_series(
    canvas: HtmlCanvasElement,
    lengths: &[f64],
    steps: &[f64],
    losses: &[f64],
    styles: &[f64],
    log_scale: bool,
    pixel_ratio: f64,
) -> Result<(), JsValue> {
    // No series can hold more points than were given.
    let lengths = argument::wholes("the length of series", lengths, 0, steps.len() as u64)?;
    let styles = argument::wholes("the style of series", styles, 0, (DASHED | 0xff_ffff).into())?;
    let lengths: Vec<usize> = lengths.into_iter().map(|n| n as usize).collect();
    let styles: Vec<u32> = styles.into_iter().map(|c| c as u32).collect();
    let series = split_series(&lengths, steps, losses, &styles, log_scale).map_err(|e| fault("draw", &e))?;
    let backend = MeasuredCanvas::new(canvas, "experiment chart")?;
    let root = backend.into_drawing_area();
    draw_series(&root, &series, log_scale, pixel_ratio.clamp(0.5, 4.0), None)
        .map_err(|e| fault("draw", &format!("cannot draw the experiment chart: {e}")))
}

/// One line of a chart: its drawable points, colour, dash and width (in CSS pixels).
#[derive(Debug)]
struct Series {
    points: Vec<(f64, f64)>,
    colour: RGBColor,
    dashed: bool,
    width: f64,
}

/// The style bit of a dashed series.
pub const DASHED: u32 = 0x100_0000;

fn split_series(
    lengths: &[usize],
    steps: &[f64],
    losses: &[f64],
    styles: &[u32],
    log_scale: bool,
) -> Result<Vec<Series>, String> {
    // Checked: lengths near usize::MAX must be refused, not wrap to a small total.
    let total = lengths.iter().try_fold(0usize, |sum, &n| sum.checked_add(n));
    if total.is_none_or(|total| total != steps.len() || total != losses.len()) {
        let total = total.map_or("more than can be counted".to_string(), |t| t.to_string());
        return Err(format!(
            "the series hold {total} points, but {} steps and {} losses were given",
            steps.len(),
            losses.len()
        ));
    }
    if styles.len() < lengths.len() {
        return Err(format!("{} series need as many colours, not {}", lengths.len(), styles.len()));
    }
    let mut start = 0;
    let mut out = Vec::with_capacity(lengths.len());
    for (k, &n) in lengths.iter().enumerate() {
        let end = start + n;
        let c = styles[k];
        out.push(Series {
            points: plotted(&steps[start..end], &losses[start..end], log_scale),
            colour: RGBColor((c >> 16) as u8, (c >> 8) as u8, c as u8),
            dashed: c & DASHED != 0,
            width: if c & DASHED != 0 { 1.5 } else { 2.5 },
        });
        start = end;
    }
    Ok(out)
}

fn draw_series<DB: DrawingBackend>(
    root: &DrawingArea<DB, plotters::coord::Shift>,
    series: &[Series],
    log_scale: bool,
    ratio: f64,
    exploded_at: Option<f64>,
) -> Result<(), Box<dyn std::error::Error>>
where
    DB::ErrorType: 'static,
{
    root.fill(&WHITE)?;
    let px = |v: f64| (v * ratio).round() as u32;
    let font = |size: f64| ("sans-serif", size * ratio).into_font().color(&INK);
    let all: Vec<(f64, f64)> = series.iter().flat_map(|s| s.points.iter().copied()).collect();
    let (mut x_range, y_range) = bounds(&all, &[]);
    if let Some(x) = exploded_at {
        x_range.1 = x_range.1.max(x + (x - x_range.0).max(1.0) * 0.05);
    }
    let mut chart = ChartBuilder::on(root)
        .margin(px(6.0))
        .margin_right(px(12.0))
        .x_label_area_size(px(22.0))
        .y_label_area_size(px(48.0))
        .build_cartesian_2d(x_range.0..x_range.1, y_range.0..y_range.1)?;
    chart
        .configure_mesh()
        .light_line_style(WHITE)
        .bold_line_style(GRID)
        .axis_style(INK)
        .x_labels(6)
        .y_labels(6)
        .label_style(font(11.0))
        .x_label_formatter(&|x| format_step(*x))
        .y_label_formatter(&|y| format_loss(if log_scale { 10f64.powf(*y) } else { *y }))
        .draw()?;
    // Dashed (test) lines first, so the solid training lines stay on top.
    for s in series.iter().filter(|s| s.dashed).chain(series.iter().filter(|s| !s.dashed)) {
        let style = ShapeStyle::from(s.colour).stroke_width(px(s.width).max(1));
        for segment in segments(&s.points) {
            if s.dashed {
                chart.draw_series(DashedLineSeries::new(segment.iter().copied(), px(6.0), px(4.0), style))?;
            } else {
                chart.draw_series(LineSeries::new(segment.iter().copied(), style))?;
            }
        }
    }
    // Where training exploded: a dashed line in the warning colour, and words.
    if let Some(x) = exploded_at {
        let style = ShapeStyle::from(EXPLODED).stroke_width(px(2.0).max(1));
        chart.draw_series(DashedLineSeries::new([(x, y_range.0), (x, y_range.1)], px(5.0), px(3.0), style))?;
        let label = format!("✕ exploded at step {}", format_step(x));
        let text_style = ("sans-serif", 12.0 * ratio).into_font().color(&EXPLODED);
        let at = chart.backend_coord(&(x, y_range.1));
        let width = (label.chars().count() as f64 * 6.5 * ratio) as i32;
        let left = (at.0 - width - px(4.0) as i32).max(px(50.0) as i32);
        root.draw(&Text::new(label, (left, at.1 + px(2.0) as i32), text_style))?;
    }
    root.present()?;
    Ok(())
}

/// (step, y) pairs with y = L or log₁₀ L; a point that cannot be drawn becomes NaN (a gap).
fn plotted(steps: &[f64], loss: &[f64], log_scale: bool) -> Vec<(f64, f64)> {
    steps
        .iter()
        .zip(loss)
        .map(|(&x, &l)| {
            let y = if log_scale {
                if l > 0.0 {
                    l.log10()
                } else {
                    f64::NAN
                }
            } else {
                l
            };
            (x, if y.is_finite() { y } else { f64::NAN })
        })
        .collect()
}

/// Runs of drawable points, split at the gaps.
fn segments(points: &[(f64, f64)]) -> impl Iterator<Item = &[(f64, f64)]> {
    points.split(|(x, y)| !x.is_finite() || !y.is_finite()).filter(|s| !s.is_empty())
}

/// The x and y ranges that hold every drawable point, padded a little, never empty.
fn bounds(a: &[(f64, f64)], b: &[(f64, f64)]) -> ((f64, f64), (f64, f64)) {
    let mut x = (f64::INFINITY, f64::NEG_INFINITY);
    let mut y = (f64::INFINITY, f64::NEG_INFINITY);
    for &(px, py) in a.iter().chain(b) {
        if px.is_finite() && py.is_finite() {
            x = (x.0.min(px), x.1.max(px));
            y = (y.0.min(py), y.1.max(py));
        }
    }
    if !x.0.is_finite() {
        return ((0.0, 1.0), (0.0, 1.0));
    }
    if x.1 - x.0 < 1.0 {
        x.1 = x.0 + 1.0;
    }
    let span = y.1 - y.0;
    let pad = if span > 1e-12 { 0.05 * span } else { 0.5 * y.0.abs().max(1e-3) };
    ((x.0, x.1), (y.0 - pad, y.1 + pad))
}

fn format_step(step: f64) -> String {
    // Steps are whole numbers: a tick between two of them gets no label.
    if (step - step.round()).abs() > 1e-9 {
        String::new()
    } else if step.abs() >= 10_000.0 {
        format!("{}k", (step / 1000.0).round())
    } else {
        format!("{}", step.round())
    }
}

/// A loss as an axis label: short, but distinct between neighbouring ticks.
fn format_loss(loss: f64) -> String {
    if loss == 0.0 {
        "0".into()
    } else if loss.abs() >= 1e4 || loss.abs() < 1e-3 {
        format!("{loss:.1e}")
    } else {
        let digits = (3 - loss.abs().log10().floor() as i32).clamp(0, 6) as usize;
        let text = format!("{loss:.digits$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_string()
        } else {
            text
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gaps_split_the_line_and_logs_of_zero_are_gaps() {
        let points = plotted(&[0.0, 1.0, 2.0, 3.0], &[1.0, f64::NAN, 0.1, 0.0], true);
        assert_eq!(points[0], (0.0, 0.0));
        assert!(points[1].1.is_nan() && points[3].1.is_nan());
        assert!((points[2].1 + 1.0).abs() < 1e-12);
        let runs: Vec<_> = segments(&points).collect();
        assert_eq!(runs.len(), 2);
    }

    #[test]
    fn bounds_hold_every_point_and_are_never_empty() {
        let ((x0, x1), (y0, y1)) = bounds(&[(0.0, 0.5), (10.0, 0.25)], &[(5.0, 0.75)]);
        assert_eq!((x0, x1), (0.0, 10.0));
        assert!(y0 < 0.25 && y1 > 0.75);
        let ((x0, x1), (y0, y1)) = bounds(&[(3.0, 2.0)], &[]);
        assert!(x1 > x0 && y1 > y0 && y0 < 2.0 && y1 > 2.0);
        assert_eq!(bounds(&[], &[]), ((0.0, 1.0), (0.0, 1.0)));
    }

    #[test]
    fn series_are_cut_by_their_lengths_and_checked() {
        let series =
            split_series(&[2, 1], &[0.0, 1.0, 0.0], &[1.0, 0.5, 2.0], &[0x0072b2, 0xe69f00 | DASHED], false).unwrap();
        assert_eq!(series.len(), 2);
        assert_eq!(series[0].points, vec![(0.0, 1.0), (1.0, 0.5)]);
        assert_eq!(series[1].points, vec![(0.0, 2.0)]);
        assert_eq!((series[1].colour.0, series[1].colour.1, series[1].colour.2), (0xe6, 0x9f, 0x00));
        assert!(!series[0].dashed && series[1].dashed);
        assert!(split_series(&[3], &[0.0, 1.0], &[1.0, 0.5], &[0], false).unwrap_err().contains("3 points"));
        assert!(split_series(&[1, 1], &[0.0, 1.0], &[1.0, 0.5], &[0], false).unwrap_err().contains("colours"));
        // Lengths whose sum overflows are refused, not wrapped (issue 16: 2^31 + 2^31 on 32 bits).
        let overflowing = split_series(&[usize::MAX, 2], &[0.0], &[1.0], &[0, 0], false).unwrap_err();
        assert!(overflowing.contains("more than can be counted"), "{overflowing}");
    }

    #[test]
    fn labels_are_short() {
        assert_eq!(format_loss(0.25), "0.25");
        assert_eq!(format_loss(0.0001234), "1.2e-4");
        assert_eq!(format_loss(12.5), "12.5");
        assert_eq!(format_step(25_000.0), "25k");
        assert_eq!(format_step(120.0), "120");
        assert_eq!(format_step(0.5), "");
    }
}
