//! The data pipeline every run shares, in a study or in `train`: the seeded random streams,
//! and the data drawn, split and standardised from them. Calling these with the same seed and
//! settings gives the same bits, so `train`, a study run and any other caller (a web
//! playground, say) train on the very same data.
//!
//! Each purpose has its own ChaCha8 stream, seeded from the run's seeds only, so a run's
//! numbers never depend on which thread ran it or in what order.

use core_linalg::Dataset;
use data::{DataError, Generator, Standardizer, train_test_split};
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
    /// The initial weights and mini-batch order of `train`'s one model.
    pub const TRAIN_COMMAND: u64 = 3;
    /// The initial weights and mini-batch order of a study run: `TRAIN + point index`, so sweep
    /// points do not share a start.
    pub const TRAIN: u64 = 1000;
    /// The Lanczos start vectors of `experiments curvature`.
    pub const CURVATURE_COMMAND: u64 = 4;
    /// The Lanczos start vectors of a study run's curvature readings: `CURVATURE + point
    /// index` (above every `TRAIN + point index`, as a study has at most 10,000 runs).
    pub const CURVATURE: u64 = 1_000_000;
}

/// The ChaCha8 stream `stream` of `seed`: value-stable on every platform, and independent of
/// the other streams of the same seed.
pub fn rng(seed: u64, stream: u64) -> ChaCha8Rng {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    rng.set_stream(stream);
    rng
}

/// Data as the model sees it: the training and test parts (standardised with the training
/// part's statistics when asked) and that standardisation.
#[derive(Debug, Clone)]
pub struct PreparedData {
    /// The training part.
    pub train: Dataset,
    /// The test part (`None` when nothing is held out).
    pub test: Option<Dataset>,
    /// The standardisation applied to both parts, when the data is standardised.
    pub standardization: Option<InputStandardization>,
}

/// Which step of the pipeline failed, with the data crate's error.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PipelineError {
    /// Drawing the dataset.
    #[error("dataset: {0}")]
    Draw(DataError),
    /// Splitting it.
    #[error("split: {0}")]
    Split(DataError),
    /// Standardising it.
    #[error("standardise: {0}")]
    Standardize(DataError),
}

/// Draws `n_samples` rows from `generator` with the data stream of `seed`.
///
/// # Errors
/// [`PipelineError::Draw`] with the generator's error (a sample count out of range).
pub fn draw(generator: &Generator, n_samples: usize, seed: u64) -> Result<Dataset, PipelineError> {
    generator
        .generate(n_samples, &mut rng(seed, stream::DATA))
        .map_err(PipelineError::Draw)
}

/// Splits `dataset` (stratified, with the split stream of `seed`; `test_fraction = 0` holds
/// nothing out and keeps the rows in order) and, with `standardize`, standardises both parts
/// with the training part's statistics.
///
/// # Errors
/// [`PipelineError::Split`] when the fraction leaves a split without a class,
/// [`PipelineError::Standardize`] when standardising overflows.
pub fn split_and_standardize(
    dataset: Dataset,
    test_fraction: f64,
    standardize: bool,
    seed: u64,
) -> Result<PreparedData, PipelineError> {
    let (train, test) = if test_fraction == 0.0 {
        (dataset, None)
    } else {
        let split = train_test_split(&dataset, test_fraction, &mut rng(seed, stream::SPLIT))
            .map_err(PipelineError::Split)?;
        (split.train, Some(split.test))
    };
    if !standardize {
        return Ok(PreparedData {
            train,
            test,
            standardization: None,
        });
    }
    let scaler = Standardizer::fit(train.features());
    let transform = |d: &Dataset| {
        scaler
            .transform_dataset(d)
            .map_err(PipelineError::Standardize)
    };
    Ok(PreparedData {
        train: transform(&train)?,
        test: test.as_ref().map(transform).transpose()?,
        standardization: Some(InputStandardization {
            means: scaler.means().to_vec(),
            scales: scaler.scales().to_vec(),
        }),
    })
}

/// A study run's data: drawn with its data seed and split as the study says (the same for
/// every run with the same data seed and generator). The figures call this again to redraw a
/// finished run's data exactly.
///
/// # Errors
/// As [`draw`] and [`split_and_standardize`].
pub fn prepare_data(plan: &Plan, run: &RunPlan) -> Result<PreparedData, PipelineError> {
    let dataset = draw(&run.generator, plan.data.n_samples, run.data_seed)?;
    split_and_standardize(
        dataset,
        plan.data.test_fraction,
        run.standardize,
        run.data_seed,
    )
}
