//! The data pipeline a run shares with `train`: its seeded random streams, and the data drawn,
//! split and standardised from them.
//!
//! Each purpose has its own ChaCha8 stream, seeded from the run's seeds only, so a run's
//! numbers never depend on which thread ran it or in what order.

use core_linalg::Dataset;
use data::{Standardizer, train_test_split};
use models::saved::InputStandardization;
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

use crate::plan::{Plan, RunPlan};

/// The stream numbers of a run's purposes.
pub mod stream {
    /// Drawing the dataset.
    pub const DATA: u64 = 1;
    /// Splitting it into training and test parts.
    pub const SPLIT: u64 = 2;
    /// Training streams are `TRAIN + point index`, so sweep points do not share a start.
    pub const TRAIN: u64 = 1000;
}

/// The ChaCha8 stream `stream` of `seed`: value-stable on every platform, and independent of
/// the other streams of the same seed.
pub fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// A run's data as the model sees it: the training and test parts (standardised with the
/// training part's statistics when the study says so) and that standardisation.
#[derive(Debug, Clone)]
pub struct PreparedData {
    /// The training part.
    pub train: Dataset,
    /// The test part.
    pub test: Dataset,
    /// The standardisation applied to both parts, when the study standardises.
    pub standardization: Option<InputStandardization>,
}

/// Draws the run's dataset and splits it (the same for every run with the same data seed and
/// generator). The figures call this again to redraw a finished run's data exactly.
pub fn prepare_data(plan: &Plan, run: &RunPlan) -> Result<PreparedData, String> {
    let dataset = run
        .generator
        .generate(plan.n_samples, &mut rng(run.data_seed, stream::DATA))
        .map_err(|e| format!("dataset: {e}"))?;
    let split = train_test_split(
        &dataset,
        plan.test_fraction,
        &mut rng(run.data_seed, stream::SPLIT),
    )
    .map_err(|e| format!("split: {e}"))?;
    if !plan.standardize {
        return Ok(PreparedData {
            train: split.train,
            test: split.test,
            standardization: None,
        });
    }
    let scaler = Standardizer::fit(split.train.features());
    let train = scaler
        .transform_dataset(&split.train)
        .map_err(|e| format!("standardise: {e}"))?;
    let test = scaler
        .transform_dataset(&split.test)
        .map_err(|e| format!("standardise: {e}"))?;
    Ok(PreparedData {
        train,
        test,
        standardization: Some(InputStandardization {
            means: scaler.means().to_vec(),
            scales: scaler.scales().to_vec(),
        }),
    })
}
