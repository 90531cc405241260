//! The gradient-norm heat maps: one per sweep point, from its first seed that recorded them,
//! all on one colour scale so that their colours compare.

use std::path::PathBuf;

use viz::GradientHeatmapSpec;

use super::table::read_table;
use super::{CHART_SIZE, Emitter, FigureFile, Study, point_file_part};
use crate::plan::RunPlan;

/// One point's heat map, read but not yet drawn.
struct PointNorms<'a> {
    point: usize,
    run: &'a RunPlan,
    epochs: Vec<f64>,
    /// `samples[k][l]`: weight layer `l`'s norm at `epochs[k]`.
    samples: Vec<Vec<f64>>,
}

impl Study<'_> {
    /// A gradient-norm heat map per point (`gradients-<point>`), from its first seed that
    /// recorded them. When there are several, they share one colour range, from the decade
    /// below the smallest norm of any of them to the decade above the largest.
    pub(super) fn gradients(&self, out: &mut Emitter<'_>) {
        let stride = self.plan.record.gradient_norm_stride;
        if stride == 0 {
            return;
        }
        let maps: Vec<PointNorms<'_>> = (0..self.plan.points.len())
            .filter_map(|point| self.point_norms(point, out))
            .collect();
        let shared = if maps.len() > 1 {
            decade_range(
                maps.iter()
                    .flat_map(|m| m.samples.iter().flatten().copied()),
            )
        } else {
            None
        };
        for map in maps {
            let label = &self.plan.points[map.point].label;
            let seed = map.run.seed;
            let n_layers = map.samples.iter().map(Vec::len).max().unwrap_or(0);
            let mut spec = GradientHeatmapSpec::from_samples(
                self.title(&format!(
                    "gradient norms, {}, seed {seed}",
                    label.replace(',', ", ")
                )),
                map.epochs,
                &map.samples,
            )
            .with_size(CHART_SIZE.0, 480);
            let scale = match shared {
                Some((lowest, highest)) => {
                    spec = spec.with_shared_color_range(lowest, highest);
                    format!(
                        "one colour scale shared by every gradient map of this study ({} to {}), \
                         so colours compare between them",
                        decade_label(lowest),
                        decade_label(highest)
                    )
                }
                None => "its own colour scale".to_owned(),
            };
            let part = point_file_part(&self.plan.points[map.point]);
            let name = if part.is_empty() {
                "gradients".to_owned()
            } else {
                format!("gradients-{part}")
            };
            out.emit(
                FigureFile {
                    name,
                    title: format!("Gradient norms at {label}, seed {seed}"),
                    caption: format!(
                        "{label}, seed {seed}: the norm of each weight layer's gradient every \
                         {stride} epochs, layers numbered from 0 (layer 0 takes the input, \
                         layer {} feeds the output), on a log colour scale (dark: small): {scale}.",
                        n_layers.saturating_sub(1)
                    ),
                },
                0,
                |path| viz::gradient_heatmap(path, &spec),
            );
        }
    }

    /// The norms of the first finished seed of `point` that wrote a gradient file.
    fn point_norms(&self, point: usize, out: &Emitter<'_>) -> Option<PointNorms<'_>> {
        let (run, path): (&RunPlan, PathBuf) = self.runs_at(point).find_map(|run| {
            self.record(run)?;
            let path = self.dir.join("gradients").join(format!("{}.csv", run.id()));
            path.is_file().then_some((run, path))
        })?;
        let table = match read_table(&path) {
            Ok(table) => table,
            Err(e) => {
                out.warn(format!("gradient norms of run {} not drawn: {e}", run.id()));
                return None;
            }
        };
        Some(PointNorms {
            point,
            run,
            epochs: table.rows.iter().map(|r| r[0]).collect(),
            samples: table.rows.iter().map(|r| r[1..].to_vec()).collect(),
        })
    }
}

/// Whole decades around the finite, positive `norms`: `(10^⌊log₁₀ min⌋, 10^⌈log₁₀ max⌉)`, at
/// least one decade wide; `None` when no norm is finite and positive.
fn decade_range(norms: impl Iterator<Item = f64>) -> Option<(f64, f64)> {
    let (min, max) = norms.filter(|v| v.is_finite() && *v > 0.0).fold(
        None,
        |range: Option<(f64, f64)>, v| match range {
            None => Some((v, v)),
            Some((lo, hi)) => Some((lo.min(v), hi.max(v))),
        },
    )?;
    // `powi` keeps the decades exact (10⁻⁵ is the double nearest 10⁻⁵), so the colour bar's
    // ends fall on its ticks.
    let low = min.log10().floor() as i32;
    let high = (max.log10().ceil() as i32).max(low + 1);
    Some((10f64.powi(low), 10f64.powi(high)))
}

/// A power of ten as a reader writes it: `1e-5`, `0.01`, `1`, `10`.
fn decade_label(value: f64) -> String {
    if (1e-3..1e4).contains(&value) {
        format!("{value}")
    } else {
        format!("{value:e}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_ranges_are_whole_decades_around_every_norm() {
        let range = decade_range([5.9e-5, 0.13, f64::NAN, 0.0, 2.18].into_iter()).unwrap();
        assert_eq!(range, (1e-5, 10.0));
        assert_eq!(decade_range([0.01].into_iter()), Some((0.01, 0.1)));
        assert_eq!(decade_range([0.0, f64::NAN].into_iter()), None);
        assert_eq!(decade_label(1e-5), "1e-5");
        assert_eq!(decade_label(0.01), "0.01");
        assert_eq!(decade_label(10.0), "10");
    }
}
