//! The Lanczos method with full reorthogonalisation for the two extreme eigenvalues of a
//! symmetric operator, and the small tridiagonal eigenproblem it solves at each step.
//!
//! From a unit start vector `q_0`, step `j` computes `w = H q_j`, `α_j = q_jᵀ w`,
//! `w ← w − α_j q_j − β_j q_{j−1}`, then removes from `w` its components along every earlier
//! `q_i` (classical Gram–Schmidt, repeated once when `‖w‖` falls below `1/√2` of what it was:
//! Kahan's "twice is enough"), and sets `β_{j+1} = ‖w‖`, `q_{j+1} = w / β_{j+1}`. In exact arithmetic
//! `Q_kᵀ H Q_k` is the tridiagonal `T_k` with diagonal `α` and off-diagonal `β`; the eigenvalues
//! of `T_k` (Ritz values) approach `H`'s extreme eigenvalues from inside, and the residual of
//! the Ritz pair `(θ, Q_k s)` is `|β_{k} s_{k−1}|`, read from the last entry of `T_k`'s unit
//! eigenvector `s`. Without the reorthogonalisation, rounding makes the `q_i` lose
//! orthogonality and copies of converged eigenvalues appear.

use core_linalg::kernels::descend;
use rand::Rng;
use rand_distr::{Distribution, StandardNormal};

use super::{Curvature, LanczosConfig, LanczosStop};
use crate::ModelError;

/// Implicit QL sweeps allowed per eigenvalue of the tridiagonal matrix; each converges in two
/// or three in practice (the Wilkinson shift makes the convergence cubic).
const MAX_SWEEPS_PER_EIGENVALUE: usize = 60;

/// The largest and smallest eigenvalues of the symmetric operator `apply` (`apply(v, out)`
/// writes `H·v` into `out`, both of length `n`) by Lanczos iteration with full
/// reorthogonalisation, from a standard-normal start vector drawn from `rng`.
///
/// See [`LanczosConfig`] for the stopping rule. Memory is `(iterations + 2) · n` numbers,
/// allocated once; reorthogonalising costs about `4 n k` operations at step `k`.
///
/// # Errors
/// [`ModelError::InvalidHyperparameter`] for `n = 0` or an invalid `config`; any error of
/// `apply`; [`ModelError::CurvatureNotMeasurable`] when a product is not finite.
///
/// # Example
/// ```
/// use models::{LanczosConfig, LanczosStop, extreme_eigenvalues};
/// use rand::SeedableRng;
///
/// // diag(3, −1, 2, 0.5): a 4×4 operator needs at most four steps.
/// let diagonal = [3.0, -1.0, 2.0, 0.5];
/// let apply = |v: &[f64], out: &mut [f64]| {
///     for ((o, x), d) in out.iter_mut().zip(v).zip(&diagonal) {
///         *o = d * x;
///     }
///     Ok(())
/// };
/// let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(0);
/// let reading = extreme_eigenvalues(4, apply, &LanczosConfig::new(), &mut rng)?;
/// assert_eq!(reading.stop_reason, LanczosStop::Converged);
/// assert!((reading.lambda_max - 3.0).abs() < 1e-12 && (reading.lambda_min + 1.0).abs() < 1e-12);
/// # Ok::<(), models::ModelError>(())
/// ```
pub fn extreme_eigenvalues<R: Rng + ?Sized>(
    n: usize,
    mut apply: impl FnMut(&[f64], &mut [f64]) -> Result<(), ModelError>,
    config: &LanczosConfig,
    rng: &mut R,
) -> Result<Curvature, ModelError> {
    config.validate()?;
    if n == 0 {
        return Err(ModelError::invalid(
            "n",
            0,
            "an operator on at least one dimension",
        ));
    }
    let steps = config.max_iterations().min(n);
    // The basis q_0, q_1, …, one vector of n after another.
    let mut basis: Vec<f64> = Vec::with_capacity((steps + 1) * n);
    let mut start: Vec<f64> = (0..n).map(|_| StandardNormal.sample(rng)).collect();
    if !normalise(&mut start) {
        start[0] = 1.0; // Every draw exactly zero: any unit vector will do.
    }
    basis.extend_from_slice(&start);
    let mut w = vec![0.0; n];
    let mut alpha: Vec<f64> = Vec::with_capacity(steps);
    let mut beta: Vec<f64> = Vec::with_capacity(steps);
    let mut coefficients: Vec<f64> = Vec::with_capacity(steps);
    let mut ritz = Tridiagonal::with_capacity(steps);

    for j in 0..steps {
        let q = &basis[j * n..(j + 1) * n];
        apply(q, &mut w)?;
        if let Some(index) = w.iter().position(|v| !v.is_finite()) {
            return Err(ModelError::CurvatureNotMeasurable {
                reason: format!(
                    "entry {index} of the Hessian-vector product of Lanczos step {} is {} \
                     (are the parameters or features too large? has training diverged?)",
                    j + 1,
                    w[index]
                ),
            });
        }
        let a = dot(q, &w);
        descend(&mut w, a, q);
        if j > 0 {
            descend(&mut w, beta[j - 1], &basis[(j - 1) * n..j * n]);
        }
        reorthogonalise(&mut w, &basis, n, &mut coefficients);
        let b = dot(&w, &w).sqrt();
        alpha.push(a);

        let extremes =
            ritz.extremes(&alpha, &beta)
                .ok_or_else(|| ModelError::CurvatureNotMeasurable {
                    reason: format!(
                        "the eigenvalues of the {0}×{0} Lanczos matrix did not converge",
                        j + 1
                    ),
                })?;
        let scale = extremes.max.abs().max(extremes.min.abs());
        let mut reading = Curvature {
            lambda_max: extremes.max,
            lambda_min: extremes.min,
            iterations: j + 1,
            residual_max: b * extremes.last_of_max.abs(),
            residual_min: b * extremes.last_of_min.abs(),
            stop_reason: LanczosStop::Converged,
        };
        let bound = config.tolerance() * scale;
        if reading.residual_max <= bound && reading.residual_min <= bound {
            return Ok(reading);
        }
        if j + 1 == steps {
            reading.stop_reason = LanczosStop::MaxIterations;
            return Ok(reading);
        }
        // Not converged, so b > 0 (b = 0 gives zero residuals, within any bound).
        beta.push(b);
        w.iter_mut().for_each(|x| *x /= b);
        basis.extend_from_slice(&w);
    }
    unreachable!("the last step returns")
}

/// `Σ x_i y_i` in eight interleaved partial sums (lane `k` sums the terms `k, k + 8, …`),
/// combined pairwise, plus the tail summed in order: plain multiplies and adds in a fixed order, so
/// the same bits on every machine, and vectorised by the compiler for any x86-64.
/// (`core_linalg::kernels::dot` rounds each term once with `mul_add`, which a build without
/// the FMA instruction set can only do by a library call per term: this loop is most of a
/// Lanczos step outside the Hessian-vector product.)
fn dot(x: &[f64], y: &[f64]) -> f64 {
    debug_assert_eq!(x.len(), y.len());
    let mut lanes = [0.0f64; 8];
    let (xs, ys) = (x.chunks_exact(8), y.chunks_exact(8));
    let tail: f64 = xs
        .remainder()
        .iter()
        .zip(ys.remainder())
        .fold(0.0, |s, (a, b)| s + a * b);
    for (a, b) in xs.zip(ys) {
        for k in 0..8 {
            lanes[k] += a[k] * b[k];
        }
    }
    let quads = [
        lanes[0] + lanes[1],
        lanes[2] + lanes[3],
        lanes[4] + lanes[5],
        lanes[6] + lanes[7],
    ];
    ((quads[0] + quads[1]) + (quads[2] + quads[3])) + tail
}

/// Scales `v` to unit length; false when it is zero.
fn normalise(v: &mut [f64]) -> bool {
    let norm = dot(v, v).sqrt();
    if norm == 0.0 {
        return false;
    }
    v.iter_mut().for_each(|x| *x /= norm);
    true
}

/// Removes from `w` its components along each unit vector of `basis` (classical Gram–Schmidt),
/// a second time when the first pass left less than `1/√2` of its norm (Kahan's criterion,
/// after which one more pass leaves `w` orthogonal to working precision).
fn reorthogonalise(w: &mut [f64], basis: &[f64], n: usize, coefficients: &mut Vec<f64>) {
    for _ in 0..2 {
        let before = dot(w, w);
        coefficients.clear();
        coefficients.extend(basis.chunks_exact(n).map(|q| dot(q, w)));
        for (q, &c) in basis.chunks_exact(n).zip(coefficients.iter()) {
            descend(w, c, q);
        }
        // ‖w_after‖ > ‖w_before‖ / √2 (compared squared).
        if 2.0 * dot(w, w) > before {
            break;
        }
    }
}

/// The extreme eigenvalues of a symmetric tridiagonal matrix and the last entries of their
/// unit eigenvectors.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Extremes {
    max: f64,
    last_of_max: f64,
    min: f64,
    last_of_min: f64,
}

/// Buffers for the eigenproblem of the Lanczos matrix, reused from step to step.
struct Tridiagonal {
    values: Vec<f64>,
    off: Vec<f64>,
    last_row: Vec<f64>,
}

impl Tridiagonal {
    fn with_capacity(k: usize) -> Self {
        Tridiagonal {
            values: Vec::with_capacity(k),
            off: Vec::with_capacity(k),
            last_row: Vec::with_capacity(k),
        }
    }

    /// The extreme eigenpairs of the matrix with diagonal `diagonal` and off-diagonal `off`
    /// (`off[i]` couples `i` and `i + 1`), or `None` if the iteration fails to converge.
    fn extremes(&mut self, diagonal: &[f64], off: &[f64]) -> Option<Extremes> {
        let k = diagonal.len();
        debug_assert_eq!(off.len() + 1, k);
        // Scaled to entries of at most 1, so no intermediate overflows.
        let scale = diagonal
            .iter()
            .chain(off)
            .fold(0.0f64, |m, v| m.max(v.abs()));
        if scale == 0.0 {
            return Some(Extremes {
                max: 0.0,
                last_of_max: 1.0,
                min: 0.0,
                last_of_min: 1.0,
            });
        }
        self.values.clear();
        self.values.extend(diagonal.iter().map(|d| d / scale));
        self.off.clear();
        self.off.extend(off.iter().map(|e| e / scale));
        self.off.push(0.0);
        self.last_row.clear();
        self.last_row.resize(k, 0.0);
        self.last_row[k - 1] = 1.0;
        implicit_ql(&mut self.values, &mut self.off, &mut self.last_row)?;
        let (mut max, mut min) = (0, 0);
        for (i, &v) in self.values.iter().enumerate() {
            if v > self.values[max] {
                max = i;
            }
            if v < self.values[min] {
                min = i;
            }
        }
        Some(Extremes {
            max: self.values[max] * scale,
            last_of_max: self.last_row[max],
            min: self.values[min] * scale,
            last_of_min: self.last_row[min],
        })
    }
}

/// The implicit QL method with Wilkinson shifts for a symmetric tridiagonal matrix (EISPACK's
/// `tql2`, as `tqli` in Numerical Recipes), in place: `d` (the diagonal) becomes the
/// eigenvalues, `e` (the off-diagonal, `e[i]` coupling `i` and `i + 1`, with a trailing 0) is
/// destroyed, and `z` (a row of the identity on entry) becomes that row of the eigenvector
/// matrix: each plane rotation of the method touches two entries of every row, so one row can
/// be carried alone, at `O(k²)` for the whole solve instead of `O(k³)`. `None` if some
/// eigenvalue needs more than [`MAX_SWEEPS_PER_EIGENVALUE`] sweeps.
fn implicit_ql(d: &mut [f64], e: &mut [f64], z: &mut [f64]) -> Option<()> {
    let k = d.len();
    for l in 0..k {
        let mut sweeps = 0;
        loop {
            // The first negligible off-diagonal entry at or after l splits the matrix.
            let mut m = l;
            while m + 1 < k {
                let dd = d[m].abs() + d[m + 1].abs();
                if e[m].abs() <= f64::EPSILON * dd {
                    break;
                }
                m += 1;
            }
            if m == l {
                break;
            }
            sweeps += 1;
            if sweeps > MAX_SWEEPS_PER_EIGENVALUE {
                return None;
            }
            // The Wilkinson shift, from the leading 2×2 block.
            let mut g = (d[l + 1] - d[l]) / (2.0 * e[l]);
            let mut r = hypot(g, 1.0);
            g = d[m] - d[l] + e[l] / (g + r.copysign(g));
            let (mut s, mut c, mut p) = (1.0, 1.0, 0.0);
            let mut deflated = false;
            for i in (l..m).rev() {
                let f = s * e[i];
                let b = c * e[i];
                r = hypot(f, g);
                e[i + 1] = r;
                if r == 0.0 {
                    // Underflow: the matrix splits here; start the sweep again.
                    d[i + 1] -= p;
                    e[m] = 0.0;
                    deflated = true;
                    break;
                }
                s = f / r;
                c = g / r;
                g = d[i + 1] - p;
                r = (d[i] - g) * s + 2.0 * c * b;
                p = s * r;
                d[i + 1] = g + p;
                g = c * r - b;
                let f = z[i + 1];
                z[i + 1] = s * z[i] + c * f;
                z[i] = c * z[i] - s * f;
            }
            if deflated {
                continue;
            }
            d[l] -= p;
            e[l] = g;
            e[m] = 0.0;
        }
    }
    Some(())
}

/// `√(x² + y²)` without overflow, from IEEE operations only (no platform `hypot`), so the bits
/// are the same everywhere.
fn hypot(x: f64, y: f64) -> f64 {
    let (x, y) = (x.abs(), y.abs());
    let (big, small) = if x >= y { (x, y) } else { (y, x) };
    if big == 0.0 {
        return 0.0;
    }
    let ratio = small / big;
    big * (1.0 + ratio * ratio).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;
    use core_linalg::Matrix;
    use rand::SeedableRng;

    /// Against nalgebra's dense symmetric eigensolver on random tridiagonal matrices: the
    /// extreme eigenvalues and the size of their eigenvectors' last entries.
    #[test]
    fn tridiagonal_extremes_match_a_dense_eigensolver() {
        let mut rng = rand_chacha::ChaCha8Rng::seed_from_u64(5);
        let mut ritz = Tridiagonal::with_capacity(40);
        for k in [1, 2, 3, 7, 40] {
            for scale in [1e-3, 1.0, 1e6] {
                let diagonal: Vec<f64> = (0..k)
                    .map(|_| scale * rng.random_range(-1.0..1.0))
                    .collect();
                let off: Vec<f64> = (1..k)
                    .map(|_| scale * rng.random_range(-1.0..1.0))
                    .collect();
                let dense = Matrix::from_fn(k, k, |i, j| match i.abs_diff(j) {
                    0 => diagonal[i],
                    1 => off[i.min(j)],
                    _ => 0.0,
                });
                let eigen = dense.symmetric_eigen();
                let (imax, imin) = (eigen.eigenvalues.imax(), eigen.eigenvalues.imin());
                let found = ritz.extremes(&diagonal, &off).expect("converges");
                let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * scale;
                assert!(
                    close(found.max, eigen.eigenvalues[imax]),
                    "k {k} scale {scale}"
                );
                assert!(
                    close(found.min, eigen.eigenvalues[imin]),
                    "k {k} scale {scale}"
                );
                if k > 1 {
                    let last = |i: usize| eigen.eigenvectors[(k - 1, i)].abs();
                    assert!((found.last_of_max.abs() - last(imax)).abs() < 1e-9, "k {k}");
                    assert!((found.last_of_min.abs() - last(imin)).abs() < 1e-9, "k {k}");
                }
            }
        }
    }

    #[test]
    fn hypot_is_exact_on_pythagorean_triples_and_does_not_overflow() {
        assert_eq!(hypot(3.0, 4.0), 5.0);
        assert_eq!(hypot(-5.0, 12.0), 13.0);
        assert_eq!(hypot(0.0, 0.0), 0.0);
        assert_eq!(hypot(3e300, 4e300), 5e300);
    }
}
