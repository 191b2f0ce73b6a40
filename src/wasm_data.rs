//! The JavaScript face of the data: generate, load or draw points, choose features and
//! scaling, and get the arrays the engine trains on and the heatmap grid it is probed with.

use crate::csv::CsvOptions;
use crate::data::Data;
use crate::features::Feature;
use crate::generators::DataSpec;
use crate::metrics;
use crate::preprocessing::Scaling;
use crate::trainer::Split;
use crate::wasm::{fault, js_error, settings, to_js, Engine};
use crate::wasm_argument as argument;
use wasm_bindgen::prelude::*;

fn split(test: bool) -> Split {
    if test {
        Split::Test
    } else {
        Split::Train
    }
}

#[wasm_bindgen]
pub struct DataSet {
    data: Data,
}

#[wasm_bindgen]
impl DataSet {
    /// A built-in data set: `{problem, points, noise, test_ratio, seed}` (fields left out take defaults).
    pub fn generate(spec: JsValue) -> Result<DataSet, JsValue> {
        let spec: DataSpec = settings("data", &spec)?;
        Ok(DataSet { data: Data::generate(&spec).map_err(js_error)? })
    }

    /// A CSV file's text; `options` is `{header?: bool, label_column?: number, task?: 'auto'|'classification'|'regression'}`.
    #[wasm_bindgen(js_name = fromCsv)]
    pub fn from_csv(text: &str, options: JsValue, test_ratio: f64, seed: JsValue) -> Result<DataSet, JsValue> {
        let seed = argument::whole_u32("seed", &seed, 0, u32::MAX)?;
        let options: CsvOptions = if options.is_undefined() || options.is_null() {
            CsvOptions::default()
        } else {
            settings("CSV options", &options)?
        };
        Ok(DataSet { data: Data::from_csv(text, &options, test_ratio, seed).map_err(js_error)? })
    }

    /// Points given as arrays (`coords` points × dims, `labels` a class index or, with
    /// `classes` 0, a value), the first `train` of them for training and the rest for testing.
    #[wasm_bindgen(js_name = fromPoints)]
    pub fn from_points(
        dims: JsValue,
        classes: JsValue,
        coords: Vec<f64>,
        labels: Vec<f64>,
        train: JsValue,
    ) -> Result<DataSet, JsValue> {
        let dims = argument::whole("dims", &dims, 1, crate::config::MAX_INPUTS as u64)?;
        let classes = argument::whole("classes", &classes, 0, crate::config::MAX_OUTPUTS as u64)?;
        // The points given are the most there can be for training.
        let points = labels.len() as u64;
        let train = argument::whole("train", &train, 0, points)?;
        let shared = crate::share::SharedPoints {
            dims: dims as usize,
            classes: classes as usize,
            coords,
            labels,
            train: Some(train as usize),
        };
        Ok(DataSet { data: Data::from_shared(&shared, 0.0, 0).map_err(js_error)? })
    }

    /// Coordinates per point.
    pub fn dims(&self) -> u32 {
        self.data.train.dims as u32
    }

    /// Classes, or 0 for regression.
    pub fn classes(&self) -> u32 {
        self.data.train.classes as u32
    }

    pub fn len(&self, test: bool) -> u32 {
        self.data.points(split(test)).len() as u32
    }

    /// The raw coordinates of a set (points × dims).
    pub fn coords(&self, test: bool) -> Vec<f64> {
        self.data.points(split(test)).coords.clone()
    }

    /// The labels of a set (class index or value).
    pub fn labels(&self, test: bool) -> Vec<f64> {
        self.data.points(split(test)).labels.clone()
    }

    /// `[[min, max], …]` per coordinate over both sets.
    pub fn bounds(&self) -> JsValue {
        let mut all = self.data.train.clone();
        all.coords.extend_from_slice(&self.data.test.coords);
        all.labels.extend_from_slice(&self.data.test.labels);
        to_js(&all.bounds())
    }

    pub fn headers(&self) -> Vec<String> {
        self.data.headers.clone()
    }

    /// Chooses the input features by name (`x1`, `x2`, `x1_squared`, `x2_squared`, `x1_x2`, `sin_x1`, `sin_x2`).
    #[wasm_bindgen(js_name = setFeatures)]
    pub fn set_features(&mut self, names: JsValue) -> Result<(), JsValue> {
        let features: Vec<Feature> = settings("features", &names)?;
        self.data.set_features(features).map_err(js_error)
    }

    /// The features in use, by name.
    pub fn features(&self) -> JsValue {
        to_js(&self.data.features())
    }

    /// `none`, `standardize` or `min_max`, fitted on the training set.
    #[wasm_bindgen(js_name = setScaling)]
    pub fn set_scaling(&mut self, scaling: &str) -> Result<(), JsValue> {
        let scaling: Scaling = settings("scaling", &JsValue::from_str(&format!("\"{scaling}\"")))?;
        self.data.set_scaling(scaling).map_err(js_error)
    }

    /// How many inputs a network for this data needs.
    #[wasm_bindgen(js_name = inputWidth)]
    pub fn input_width(&self) -> u32 {
        self.data.input_width() as u32
    }

    /// The network inputs of a set.
    pub fn inputs(&self, test: bool) -> Result<Vec<f64>, JsValue> {
        self.data.inputs(split(test)).map_err(js_error)
    }

    /// The targets of a set for `outputs` output neurons.
    pub fn targets(&self, test: bool, outputs: JsValue) -> Result<Vec<f64>, JsValue> {
        let outputs = argument::whole("outputs", &outputs, 1, crate::config::MAX_OUTPUTS as u64)?;
        self.data.targets(split(test), outputs as usize).map_err(js_error)
    }

    /// The network inputs of a `resolution`² grid over [x0, x1] × [y0, y1], top row first
    /// (for 1-D data, `resolution` points over [x0, x1]).
    #[wasm_bindgen(js_name = gridInputs)]
    pub fn grid_inputs(&self, x0: f64, x1: f64, y0: f64, y1: f64, resolution: JsValue) -> Result<Vec<f64>, JsValue> {
        let resolution = argument::grid_resolution(&resolution)?;
        self.data.inputs_of(&self.data.grid((x0, x1), (y0, y1), resolution)).map_err(js_error)
    }

    /// Adds a point drawn by hand (`coords` of length dims) with its label to a set.
    #[wasm_bindgen(js_name = addPoint)]
    pub fn add_point(&mut self, coords: &[f64], label: f64, test: bool) -> Result<(), JsValue> {
        if coords.len() != self.data.train.dims {
            return Err(fault("invalid_data", &format!("a point needs {} coordinates", self.data.train.dims)));
        }
        self.data.add_point(split(test), coords, label).map_err(js_error)
    }

    /// Both sets as CSV text.
    #[wasm_bindgen(js_name = toCsv)]
    pub fn to_csv(&self) -> String {
        self.data.to_csv()
    }
}

#[wasm_bindgen]
impl Engine {
    /// Loads a data set's training and test inputs and targets into the engine.
    #[wasm_bindgen(js_name = useData)]
    /// Both sets are checked before either is replaced; without test points the engine has no test set.
    pub fn use_data(&mut self, data: &DataSet) -> Result<(), JsValue> {
        let outputs = self.trainer().network().outputs();
        let arrays = |split| -> Result<(Vec<f64>, Vec<f64>), JsValue> {
            Ok((data.data.inputs(split).map_err(js_error)?, data.data.targets(split, outputs).map_err(js_error)?))
        };
        let train = arrays(Split::Train)?;
        let test = if data.data.test.is_empty() { None } else { Some(arrays(Split::Test)?) };
        self.trainer_mut().set_data_splits(train, test).map_err(js_error)
    }

    /// Accuracy, precision, recall, F1 and the confusion matrix (classification) or RMSE
    /// and R² (regression) of the network on a set of `data`. It runs the network through
    /// `probe`, so the `Probe*` buffers hold this set's values afterwards.
    pub fn metrics(&mut self, data: &DataSet, test: bool) -> Result<JsValue, JsValue> {
        let points = data.data.points(split(test));
        if points.is_empty() {
            return Err(fault(
                "no_data",
                if test { "there are no test points" } else { "there are no training points" },
            ));
        }
        let inputs = data.data.inputs(split(test)).map_err(js_error)?;
        let outputs = self.trainer().network().outputs();
        let probe = self.probe_inputs(&inputs)?;
        let last = probe.activations.last().expect("a network has an output layer");
        let result = if points.classes == 0 {
            metrics::regression(last, &points.labels)
        } else {
            metrics::classification(last, outputs, &points.labels, points.classes)
        };
        Ok(to_js(&result))
    }
}
