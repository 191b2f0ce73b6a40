//! The data a network trains on: points split into a training and a test set, turned into
//! network inputs by the chosen features and the scaling fitted on the training set.
//!
//! Everything that turns a point into inputs lives here, so the training data, the test
//! data and the heatmap grid all go through the same transformation.
//!
//! The targets are the labels (a value, a class 0/1 or one-hot classes: `Target::Labels`), or
//! for an autoencoder the network's own inputs (`Target::Inputs`: y = x, after features and
//! scaling, a multi-output regression for squared error), with the labels kept for colouring.

use crate::csv::{self, CsvOptions};
use crate::error::{Error, Result};
use crate::features::{self, Feature};
use crate::generators::DataSpec;
use crate::points::Points;
use crate::preprocessing::{Scaler, Scaling};
use crate::trainer::Split;
use serde::{Deserialize, Serialize};

/// What the network is trained to output.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// The labels: the value (regression), the class 0/1, or one-hot classes.
    #[default]
    Labels,
    /// The inputs themselves (an autoencoder): one output per input, y = x.
    Inputs,
}

/// The shape of points that are images: coordinate r · width + c is the pixel of row r (from
/// the top) and column c.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImageShape {
    pub width: usize,
    pub height: usize,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Data {
    pub train: Points,
    pub test: Points,
    /// Column names of the coordinates, then the label's.
    pub headers: Vec<String>,
    /// Set when each point is an image (the digits, the shapes).
    pub image_shape: Option<ImageShape>,
    features: Vec<Feature>,
    scaling: Scaling,
    scaler: Scaler,
    target: Target,
}

impl Data {
    /// Data from a training and a test set of the same kind, fed as x1 (and x2).
    pub fn new(train: Points, test: Points, headers: Vec<String>) -> Result<Data> {
        if test.dims != train.dims || test.classes != train.classes {
            return Err(Error::InvalidData("the test points are not of the same kind as the training points".into()));
        }
        let features = if train.dims >= 2 { vec![Feature::X1, Feature::X2] } else { vec![Feature::X1] };
        let mut data = Data {
            train,
            test,
            headers,
            image_shape: None,
            features,
            scaling: Scaling::None,
            scaler: Scaler::fit(Scaling::None, &[], 0),
            target: Target::Labels,
        };
        data.refit()?;
        Ok(data)
    }

    /// The 8×8 digits from the bytes of `www/data/digits.bin` (see `digits`): the first `limit`
    /// images (all 1,797 for `None`), 64 inputs in [0, 1] and 10 classes, split with a
    /// stratified shuffle (`Points::split_stratified`) giving `test_ratio` (0 to 0.9) of each
    /// class to the test set. A malformed file is refused with `Error::InvalidData`.
    pub fn from_digits(bytes: &[u8], test_ratio: f64, seed: u32, limit: Option<usize>) -> Result<Data> {
        crate::error::check_range("the test ratio", test_ratio, 0.0, 0.9)?;
        let digits = crate::digits::Digits::parse(bytes)?;
        let (train, test) = digits.points(limit)?.split_stratified(test_ratio, seed);
        let mut data = Data::new(train, test, default_headers(digits.pixels_per_image()))?;
        data.image_shape = Some(ImageShape { width: digits.width, height: digits.height });
        Ok(data)
    }

    /// Data whose targets are its inputs (`Target::Inputs`), the same points and settings.
    pub fn into_autoencoder(mut self) -> Data {
        self.target = Target::Inputs;
        self
    }

    pub fn target(&self) -> Target {
        self.target
    }

    /// Chooses what the network is trained to output, from the next `targets` call on.
    pub fn set_target(&mut self, target: Target) {
        self.target = target;
    }

    /// A built-in data set.
    pub fn generate(spec: &DataSpec) -> Result<Data> {
        let (train, test) = spec.generate()?;
        let headers = default_headers(train.dims);
        let mut data = Data::new(train, test, headers)?;
        if let Some(side) = spec.problem.image_side() {
            data.image_shape = Some(ImageShape { width: side, height: side });
        }
        Ok(data)
    }

    /// Points given by hand (a link's, drawn ones), split as `SharedPoints::split` says.
    pub fn from_shared(points: &crate::settings::SharedPoints, test_ratio: f64, seed: u32) -> Result<Data> {
        let (train, test) = points.split(test_ratio, seed)?;
        Data::new(train, test, default_headers(points.dims))
    }

    /// A CSV file, split with `test_ratio` of the points (shuffled with `seed`) for testing.
    pub fn from_csv(text: &str, options: &CsvOptions, test_ratio: f64, seed: u32) -> Result<Data> {
        crate::error::check_range("the test ratio", test_ratio, 0.0, 0.9)?;
        let parsed = csv::parse(text, options)?;
        let (train, test) = parsed.points.split(test_ratio, seed);
        Data::new(train, test, parsed.headers)
    }

    pub fn features(&self) -> &[Feature] {
        &self.features
    }

    pub fn scaling(&self) -> Scaling {
        self.scaling
    }

    pub fn points(&self, split: Split) -> &Points {
        match split {
            Split::Train => &self.train,
            Split::Test => &self.test,
        }
    }

    /// How many inputs a network for this data needs.
    pub fn input_width(&self) -> usize {
        features::width(&self.features, self.train.dims)
    }

    /// Chooses the input features (ignored for points of more than 2 coordinates).
    pub fn set_features(&mut self, features: Vec<Feature>) -> Result<()> {
        features::check(&features, self.train.dims)?;
        let old = std::mem::replace(&mut self.features, features);
        self.refit().inspect_err(|_| self.features = old)
    }

    pub fn set_scaling(&mut self, scaling: Scaling) -> Result<()> {
        self.scaling = scaling;
        self.refit()
    }

    /// Adds a point (drawn by hand) to one of the sets; scaling is fitted again.
    pub fn add_point(&mut self, split: Split, coords: &[f64], label: f64) -> Result<()> {
        let points = match split {
            Split::Train => &self.train,
            Split::Test => &self.test,
        };
        let mut all_coords = points.coords.clone();
        all_coords.extend_from_slice(coords);
        let mut labels = points.labels.clone();
        labels.push(label);
        let grown = Points::new(points.dims, all_coords, labels, points.classes)?;
        match split {
            Split::Train => self.train = grown,
            Split::Test => self.test = grown,
        }
        self.refit()
    }

    /// The network inputs of a set (rows × input_width).
    pub fn inputs(&self, split: Split) -> Result<Vec<f64>> {
        self.inputs_of(&self.points(split).coords)
    }

    /// The network inputs of raw coordinates (rows × dims), e.g. a heatmap grid.
    pub fn inputs_of(&self, coords: &[f64]) -> Result<Vec<f64>> {
        let mut inputs = features::inputs_of(&self.features, self.train.dims, coords)?;
        self.scaler.apply(&mut inputs);
        Ok(inputs)
    }

    /// The targets of a set for a network with `outputs` output neurons: the encoded labels, or
    /// for `Target::Inputs` the set's network inputs (then `outputs` must equal `input_width`).
    pub fn targets(&self, split: Split, outputs: usize) -> Result<Vec<f64>> {
        match self.target {
            Target::Labels => self.points(split).encode_targets(outputs),
            Target::Inputs if outputs == self.input_width() => self.inputs(split),
            Target::Inputs => Err(Error::InvalidData(format!(
                "an autoencoder reproduces its {} inputs, so the network needs {} output neurons, not {outputs}",
                self.input_width(),
                self.input_width()
            ))),
        }
    }

    /// Coordinates of a `resolution` × `resolution` grid over [x0, x1] × [y0, y1] (row by row,
    /// top row first: y from y1 down to y0), or `resolution` points over [x0, x1] for 1-D data.
    pub fn grid(&self, x: (f64, f64), y: (f64, f64), resolution: usize) -> Vec<f64> {
        let step = |(lo, hi): (f64, f64), i: usize| lo + (hi - lo) * i as f64 / (resolution.max(2) - 1) as f64;
        if self.train.dims == 1 {
            return (0..resolution).map(|i| step(x, i)).collect();
        }
        let mut coords = Vec::with_capacity(resolution * resolution * self.train.dims);
        for row in 0..resolution {
            for col in 0..resolution {
                coords.push(step(x, col));
                coords.push(step((y.1, y.0), row));
                coords.extend(std::iter::repeat_n(0.0, self.train.dims - 2));
            }
        }
        coords
    }

    /// Both sets as one CSV file (training points first).
    pub fn to_csv(&self) -> String {
        let mut all = self.train.clone();
        all.coords.extend_from_slice(&self.test.coords);
        all.labels.extend_from_slice(&self.test.labels);
        csv::write(&all, &self.headers)
    }

    fn refit(&mut self) -> Result<()> {
        let width = self.input_width();
        let raw = features::inputs_of(&self.features, self.train.dims, &self.train.coords)?;
        self.scaler = Scaler::fit(self.scaling, &raw, width);
        Ok(())
    }
}

fn default_headers(dims: usize) -> Vec<String> {
    (1..=dims).map(|d| format!("x{d}")).chain(["label".to_string()]).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generators::Problem;

    #[test]
    fn the_same_transformation_serves_training_test_and_grid() {
        let spec = DataSpec {
            problem: Problem::Gaussians,
            points: 40,
            noise: 0.1,
            test_ratio: 0.25,
            seed: 2,
            ..DataSpec::default()
        };
        let mut data = Data::generate(&spec).unwrap();
        data.set_features(vec![Feature::X1, Feature::X1X2, Feature::SinX2]).unwrap();
        data.set_scaling(Scaling::Standardize).unwrap();
        assert_eq!(data.input_width(), 3);
        let train = data.inputs(Split::Train).unwrap();
        let mean0 = train.iter().step_by(3).sum::<f64>() / 30.0;
        assert!(mean0.abs() < 1e-12, "fitted on the training set: {mean0}");
        let p = data.test.coord_row(0).to_vec();
        let one = data.inputs_of(&p).unwrap();
        assert_eq!(one, data.inputs(Split::Test).unwrap()[..3]);
        assert_eq!(data.targets(Split::Test, 1).unwrap().len(), 10);
        assert!(data.set_features(vec![]).is_err());
        assert_eq!(data.input_width(), 3, "a refused change keeps the old features");
    }

    #[test]
    fn digits_become_64_inputs_and_10_one_hot_targets() {
        let data = Data::from_digits(crate::digits::tests::FILE, 0.2, 3, None).unwrap();
        assert_eq!((data.train.len() + data.test.len(), data.input_width()), (1797, 64));
        assert_eq!(data.image_shape, Some(ImageShape { width: 8, height: 8 }));
        // round(n_c · 0.2) of each class: 36 + 36 + 35 + 37 + 36 + 36 + 36 + 36 + 35 + 36.
        assert_eq!(data.test.len(), 359);
        let targets = data.targets(Split::Test, 10).unwrap();
        assert_eq!(targets.len(), 3590);
        assert_eq!(targets.iter().sum::<f64>(), 359.0);
        let inputs = data.inputs(Split::Train).unwrap();
        assert_eq!(inputs, data.train.coords, "the identity features, no scaling");
        assert!(data.targets(Split::Train, 1).is_err());
        let small = Data::from_digits(crate::digits::tests::FILE, 0.5, 3, Some(50)).unwrap();
        assert_eq!(small.train.len() + small.test.len(), 50);
        assert_eq!(Data::from_digits(crate::digits::tests::FILE, 0.2, 3, None).unwrap(), data, "seeded");
        assert_ne!(Data::from_digits(crate::digits::tests::FILE, 0.2, 4, None).unwrap().test, data.test);
        assert!(Data::from_digits(crate::digits::tests::FILE, 0.95, 3, None).is_err());
        assert!(Data::from_digits(b"not digits", 0.2, 3, None).unwrap_err().to_string().contains("too short"));
    }

    #[test]
    fn autoencoder_targets_are_the_inputs_and_the_labels_stay() {
        let mut data = Data::from_digits(crate::digits::tests::FILE, 0.2, 3, Some(40)).unwrap().into_autoencoder();
        assert_eq!(data.target(), Target::Inputs);
        assert_eq!(data.targets(Split::Train, 64).unwrap(), data.inputs(Split::Train).unwrap());
        let e = data.targets(Split::Train, 10).unwrap_err().to_string();
        assert!(e.contains("reproduces its 64 inputs, so the network needs 64 output neurons, not 10"), "{e}");
        assert_eq!(data.train.classes, 10, "labels are kept for colouring");
        // Targets follow the scaling: y = x as the network sees x.
        data.set_scaling(Scaling::Standardize).unwrap();
        assert_eq!(data.targets(Split::Test, 64).unwrap(), data.inputs(Split::Test).unwrap());
        data.set_target(Target::Labels);
        assert_eq!(data.targets(Split::Train, 10).unwrap().len(), data.train.len() * 10);
    }

    #[test]
    fn a_grid_covers_the_square_top_row_first() {
        let data = Data::generate(&DataSpec::default()).unwrap();
        let grid = data.grid((-1.0, 1.0), (-2.0, 2.0), 3);
        assert_eq!(&grid[..6], &[-1.0, 2.0, 0.0, 2.0, 1.0, 2.0]);
        assert_eq!(&grid[12..], &[-1.0, -2.0, 0.0, -2.0, 1.0, -2.0]);
        let curve = Data::generate(&DataSpec { problem: Problem::Sine, ..DataSpec::default() }).unwrap();
        assert_eq!(curve.grid((0.0, 1.0), (0.0, 0.0), 3), [0.0, 0.5, 1.0]);
    }

    #[test]
    fn csv_in_csv_out_and_points_drawn_by_hand() {
        let mut data = Data::from_csv("a,b,y\n1,2,0\n3,4,1\n5,6,1\n", &CsvOptions::default(), 0.0, 1).unwrap();
        assert_eq!(data.headers, ["a", "b", "y"]);
        data.add_point(Split::Train, &[7.0, 8.0], 0.0).unwrap();
        assert!(data.add_point(Split::Train, &[7.0, 8.0], 2.0).unwrap_err().to_string().contains("not a class"));
        assert!(data.add_point(Split::Train, &[f64::NAN, 8.0], 0.0).is_err());
        assert_eq!(data.train.len(), 4);
        let text = data.to_csv();
        let again = Data::from_csv(&text, &CsvOptions::default(), 0.0, 1).unwrap();
        let sorted = |p: &Points| {
            let mut rows: Vec<Vec<f64>> = (0..p.len()).map(|i| [p.coord_row(i), &[p.labels[i]]].concat()).collect();
            rows.sort_by(|a, b| a.partial_cmp(b).unwrap());
            rows
        };
        assert_eq!(sorted(&again.train), sorted(&data.train));
    }
}
