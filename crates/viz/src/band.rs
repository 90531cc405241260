//! A summary across seeds as a chart draws it: a centre point and the interval around it.

/// A centre and an interval, computed by the caller (say the median and the quartiles of a
/// loss across seeds, or the mean ± one standard deviation of an F1), drawn as a bold point
/// with an error bar from `low` to `high`.
///
/// This crate computes no statistic itself: which one suits a quantity is the caller's
/// choice, made once (the `metrics` crate's `Statistic`), and the legend says which.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Band {
    /// The point drawn bold (a mean or a median).
    pub centre: f64,
    /// The lower end of the error bar (≤ `centre`; may be ≤ 0, then cut at a log axis's
    /// bottom).
    pub low: f64,
    /// The upper end of the error bar (≥ `centre`).
    pub high: f64,
}

impl Band {
    /// A centre with the interval `[low, high]` around it.
    pub fn new(centre: f64, low: f64, high: f64) -> Band {
        Band { centre, low, high }
    }

    /// A centre without an interval (one seed), drawn as a point with no bar.
    pub fn point(centre: f64) -> Band {
        Band::new(centre, centre, centre)
    }
}
