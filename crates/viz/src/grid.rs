//! The evaluation grid of a decision boundary and the marching-squares contour on it.

use core_linalg::Matrix;

use crate::scale::{finite_bounds, pad_range};

/// A regular grid of `xs.len() × ys.len()` points, the centres of equal cells that exactly
/// tile `x_bounds × y_bounds`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Grid {
    pub(crate) x_bounds: (f64, f64),
    pub(crate) y_bounds: (f64, f64),
    pub(crate) xs: Vec<f64>,
    pub(crate) ys: Vec<f64>,
}

impl Grid {
    /// A `resolution × resolution` grid over the bounding box of the finite `points`, widened
    /// by `margin` (a fraction of the span) on every side. A box of zero width (one point, or
    /// points on a line) is first padded to `±10 %` of its value (`±1` at zero). `None` when no
    /// point has two finite coordinates or `resolution < 2`.
    pub(crate) fn covering(
        points: impl IntoIterator<Item = (f64, f64)>,
        margin: f64,
        resolution: usize,
    ) -> Option<Grid> {
        if resolution < 2 {
            return None;
        }
        let finite: Vec<(f64, f64)> = points
            .into_iter()
            .filter(|(x, y)| x.is_finite() && y.is_finite())
            .collect();
        let (x_lo, x_hi) = finite_bounds(finite.iter().map(|p| p.0))?;
        let (y_lo, y_hi) = finite_bounds(finite.iter().map(|p| p.1))?;
        let bounds = |lo: f64, hi: f64| {
            let (lo, hi) = pad_range(lo, hi, 0.0);
            pad_range(lo, hi, margin)
        };
        let x_bounds = bounds(x_lo, x_hi);
        let y_bounds = bounds(y_lo, y_hi);
        let centres = |(lo, hi): (f64, f64)| -> Vec<f64> {
            let step = (hi - lo) / resolution as f64;
            (0..resolution)
                .map(|i| lo + (i as f64 + 0.5) * step)
                .collect()
        };
        Some(Grid {
            xs: centres(x_bounds),
            ys: centres(y_bounds),
            x_bounds,
            y_bounds,
        })
    }

    /// Number of grid points.
    pub(crate) fn len(&self) -> usize {
        self.xs.len() * self.ys.len()
    }

    /// The grid as one sample per row, two columns `(x, y)`; row `j · nx + i` is `(xs[i], ys[j])`.
    pub(crate) fn to_matrix(&self) -> Matrix {
        let nx = self.xs.len();
        Matrix::from_fn(self.len(), 2, |row, column| {
            if column == 0 {
                self.xs[row % nx]
            } else {
                self.ys[row / nx]
            }
        })
    }
}

/// A straight piece of a contour line, `[from, to]`.
pub(crate) type Segment = [(f64, f64); 2];

/// The contour of `values` at `level` by marching squares, as straight segments.
///
/// `values[j · nx + i]` is the value at `(xs[i], ys[j])`. Each cell whose corners lie on both
/// sides of `level` contributes one segment (two at a saddle, resolved by the mean of the
/// corners), with ends linearly interpolated along the cell's edges. A corner exactly at
/// `level` counts as above. Cells with a NaN corner are skipped, so the line breaks there.
pub(crate) fn contour_segments(values: &[f64], xs: &[f64], ys: &[f64], level: f64) -> Vec<Segment> {
    let (nx, ny) = (xs.len(), ys.len());
    let mut segments = Vec::new();
    if nx < 2 || ny < 2 || values.len() != nx * ny {
        return segments;
    }
    for j in 0..ny - 1 {
        for i in 0..nx - 1 {
            // Corners counter-clockwise from bottom-left, and their positions.
            let corners = [
                values[j * nx + i],
                values[j * nx + i + 1],
                values[(j + 1) * nx + i + 1],
                values[(j + 1) * nx + i],
            ];
            if corners.iter().any(|v| v.is_nan()) {
                continue;
            }
            let at = [
                (xs[i], ys[j]),
                (xs[i + 1], ys[j]),
                (xs[i + 1], ys[j + 1]),
                (xs[i], ys[j + 1]),
            ];
            let case = corners.iter().enumerate().fold(0usize, |case, (k, v)| {
                case | (usize::from(*v >= level) << k)
            });
            // Edge e joins corner e and corner (e + 1) % 4: 0 bottom, 1 right, 2 top, 3 left.
            let point = |edge: usize| {
                let (a, b) = (edge, (edge + 1) % 4);
                let t = ((level - corners[a]) / (corners[b] - corners[a])).clamp(0.0, 1.0);
                let t = if t.is_finite() { t } else { 0.5 };
                (
                    at[a].0 + t * (at[b].0 - at[a].0),
                    at[a].1 + t * (at[b].1 - at[a].1),
                )
            };
            let centre_above = corners.iter().sum::<f64>() / 4.0 >= level;
            let edges: &[(usize, usize)] = match case {
                1 | 14 => &[(3, 0)],
                2 | 13 => &[(0, 1)],
                3 | 12 => &[(3, 1)],
                4 | 11 => &[(1, 2)],
                6 | 9 => &[(0, 2)],
                7 | 8 => &[(2, 3)],
                // Saddles: corners 0 and 2 above (5) or 1 and 3 above (10).
                5 if centre_above => &[(0, 1), (2, 3)],
                5 => &[(3, 0), (1, 2)],
                10 if centre_above => &[(3, 0), (1, 2)],
                10 => &[(0, 1), (2, 3)],
                _ => &[],
            };
            segments.extend(edges.iter().map(|&(a, b)| [point(a), point(b)]));
        }
    }
    segments
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: (f64, f64), b: (f64, f64)) -> bool {
        (a.0 - b.0).abs() < 1e-12 && (a.1 - b.1).abs() < 1e-12
    }

    #[test]
    fn grid_covers_the_data_with_a_margin() {
        let grid = Grid::covering([(0.0, -1.0), (10.0, 1.0)], 0.1, 5).unwrap();
        assert_eq!(grid.x_bounds, (-1.0, 11.0));
        assert!((grid.y_bounds.0 + 1.2).abs() < 1e-12 && (grid.y_bounds.1 - 1.2).abs() < 1e-12);
        assert_eq!(grid.xs.len(), 5);
        assert!(
            (grid.xs[0] - (-1.0 + 1.2)).abs() < 1e-12,
            "first centre half a cell in"
        );
        assert!((grid.xs[4] - (11.0 - 1.2)).abs() < 1e-12);
    }

    #[test]
    fn grid_ignores_non_finite_points_and_pads_a_single_point() {
        let grid =
            Grid::covering([(f64::NAN, 0.0), (2.0, 3.0), (f64::INFINITY, 1.0)], 0.0, 4).unwrap();
        assert!((grid.x_bounds.0 - 1.8).abs() < 1e-12 && (grid.x_bounds.1 - 2.2).abs() < 1e-12);
        assert!(grid.y_bounds.0 < 3.0 && grid.y_bounds.1 > 3.0);
        assert_eq!(Grid::covering([(f64::NAN, 1.0)], 0.1, 4), None);
        assert_eq!(Grid::covering([], 0.1, 4), None);
        assert_eq!(Grid::covering([(0.0, 0.0)], 0.1, 1), None);
    }

    #[test]
    fn grid_matrix_has_one_row_per_point_x_fastest() {
        let grid = Grid::covering([(0.0, 0.0), (1.0, 1.0)], 0.0, 3).unwrap();
        let m = grid.to_matrix();
        assert_eq!((m.nrows(), m.ncols()), (9, 2));
        assert_eq!((m[(1, 0)], m[(1, 1)]), (grid.xs[1], grid.ys[0]));
        assert_eq!((m[(5, 0)], m[(5, 1)]), (grid.xs[2], grid.ys[1]));
    }

    #[test]
    fn contour_of_a_horizontal_step_is_a_horizontal_line() {
        // Bottom row 0, top row 1: the 0.5 level is half-way up the cell.
        let segments = contour_segments(&[0.0, 0.0, 1.0, 1.0], &[0.0, 1.0], &[0.0, 2.0], 0.5);
        assert_eq!(segments.len(), 1);
        let [a, b] = segments[0];
        assert!(close(a, (0.0, 1.0)) && close(b, (1.0, 1.0)), "{segments:?}");
    }

    #[test]
    fn contour_interpolates_linearly_along_edges() {
        // Left column 0, right column 1, level 0.25: a vertical line a quarter of the way.
        let segments = contour_segments(&[0.0, 1.0, 0.0, 1.0], &[0.0, 4.0], &[0.0, 1.0], 0.25);
        assert_eq!(segments.len(), 1);
        let [a, b] = segments[0];
        assert!(close(a, (1.0, 0.0)) && close(b, (1.0, 1.0)), "{segments:?}");
    }

    #[test]
    fn contour_around_a_peak_is_closed() {
        let values = [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 0.0];
        let xs = [0.0, 1.0, 2.0];
        let segments = contour_segments(&values, &xs, &xs, 0.5);
        assert_eq!(segments.len(), 4);
        // Every end point is shared by exactly two segments: a closed diamond.
        let ends: Vec<(f64, f64)> = segments.iter().flat_map(|s| s.iter().copied()).collect();
        for end in &ends {
            assert_eq!(
                ends.iter().filter(|e| close(**e, *end)).count(),
                2,
                "{segments:?}"
            );
        }
        assert!(ends.iter().any(|e| close(*e, (0.5, 1.0))));
    }

    #[test]
    fn saddle_gives_two_segments_and_nan_cells_none() {
        let segments = contour_segments(&[1.0, 0.0, 0.0, 1.0], &[0.0, 1.0], &[0.0, 1.0], 0.5);
        assert_eq!(segments.len(), 2);
        assert!(
            contour_segments(&[1.0, f64::NAN, 0.0, 1.0], &[0.0, 1.0], &[0.0, 1.0], 0.5).is_empty()
        );
        assert!(contour_segments(&[1.0; 4], &[0.0, 1.0], &[0.0, 1.0], 0.5).is_empty());
        assert!(contour_segments(&[1.0], &[0.0], &[0.0], 0.5).is_empty());
    }
}
