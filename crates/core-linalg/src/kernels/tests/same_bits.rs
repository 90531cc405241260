//! Every build of every kernel gives the same bits: the AVX-512, AVX2 + FMA and baseline
//! builds are compared with each other on random shapes, and the weight gradient and the bias
//! gradient with the scalar [`dot`] and [`sum`] on every block shape.
//!
//! Only the instruction sets this process may use are compared; each of the others is
//! reported on a `SKIPPED` line (see [`super::isas_for`]), so a machine without AVX-512 shows
//! which comparisons it could not make.

use super::*;
use proptest::prelude::*;

/// Runs `f` with every instruction set in `isas` and asserts the outputs are bit-identical.
fn same_bits_on_every_isa(isas: &[Isa], f: impl Fn(Isa) -> Vec<f64>) {
    let bits = |isa| f(isa).iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    let reference = bits(isas[0]);
    for &isa in &isas[1..] {
        assert_eq!(bits(isa), reference, "{isa:?} differs from {:?}", isas[0]);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]
    #[test]
    fn every_isa_gives_the_same_bits(
        n in 0usize..70, k in 0usize..14, m in 0usize..14, seed: u64, act in 0usize..4,
    ) {
        let isas = isas_for("every_isa_gives_the_same_bits");
        let activation = Activation::ALL[act];
        let a = matrix(n, k, seed) * 3.0;
        let w = matrix(k, m, seed ^ 1);
        let bias = matrix(m, 1, seed ^ 2);
        let delta = matrix(n, m, seed ^ 3);
        let output = matrix(n, k, seed ^ 4).map(|x| activation.apply(3.0 * x));
        for finish in [
            Finish::Plain,
            Finish::BiasActivate { bias: bias.as_slice(), activation },
        ] {
            same_bits_on_every_isa(&isas, |isa| {
                let mut out = vec![f64::NAN; n * m];
                let coef = ByColumn { data: w.as_slice(), inner: k };
                let product = Product { a: a.as_slice(), n, inner: k, m, coef, finish };
                isa::product_by_column(isa, &mut out, product);
                out
            });
        }
        for finish in [
            Finish::Plain,
            Finish::TimesDerivative { output: output.as_slice(), activation },
        ] {
            same_bits_on_every_isa(&isas, |isa| {
                let mut out = vec![f64::NAN; n * k];
                let coef = ByRow { data: w.as_slice(), m: k };
                let product = Product { a: delta.as_slice(), n, inner: m, m: k, coef, finish };
                isa::product_by_row(isa, &mut out, product);
                out
            });
        }
        same_bits_on_every_isa(&isas, |isa| {
            let mut out = vec![f64::NAN; k * m];
            isa::product_transpose_a(isa, &mut out, a.as_slice(), delta.as_slice(), (n, k, m));
            out
        });
        same_bits_on_every_isa(&isas, |isa| {
            let mut out = vec![f64::NAN; m];
            isa::column_sums(isa, &mut out, delta.as_slice(), n);
            for (j, total) in out.iter().enumerate() {
                let column = &delta.as_slice()[j * n..][..n];
                assert_eq!(total.to_bits(), sum(column).to_bits(), "column {j}");
            }
            out
        });
        let b0 = bias.as_slice().first().copied().unwrap_or(-0.0);
        same_bits_on_every_isa(&isas, |isa| {
            let mut out = a.as_slice().to_vec();
            isa::bias_then_activate(isa, &mut out, b0, activation);
            for (i, (&v, &z)) in out.iter().zip(a.as_slice()).enumerate() {
                let scalar = blocked::activate(activation, z + b0);
                assert_eq!(v.to_bits(), scalar.to_bits(), "entry {i}");
            }
            out
        });
        // Logits spanning the saturated and subnormal ranges, labels 0, 1 and soft.
        let logits: Vec<f64> = matrix(n, 1, seed ^ 5).iter().map(|x| x * 800.0).collect();
        let labels: Vec<f64> = (0..n).map(|i| [0.0, 1.0, 0.25][i % 3]).collect();
        same_bits_on_every_isa(&isas, |isa| {
            let mut g = vec![f64::NAN; n];
            let loss = isa::bce_sum_and_gradient(isa, &logits, &labels, Some((&mut g, 0.5)));
            let mut g2 = vec![f64::NAN; n];
            isa::bce_gradient(isa, &mut g2, &logits, &labels, 0.5);
            assert_eq!(g, g2);
            g.push(loss);
            g
        });
    }

}

#[test]
fn weight_gradient_and_bias_gradient_have_the_bits_of_dot_and_sum() {
    // Every block shape and remainder of either dimension (the eight-column blocks, the
    // single block of five to seven columns, row pairs and lone rows), on every ISA.
    let isas = isas_for("weight_gradient_and_bias_gradient_have_the_bits_of_dot_and_sum");
    for n in [0, 3, 37, 64] {
        for k in 1..=13 {
            for m in 1..=19 {
                let (a, b) = (matrix(n, k, 1), matrix(n, m, 2));
                for &isa in &isas {
                    let mut out = vec![f64::NAN; k * m];
                    isa::product_transpose_a(isa, &mut out, a.as_slice(), b.as_slice(), (n, k, m));
                    let mut sums = vec![f64::NAN; m];
                    isa::column_sums(isa, &mut sums, b.as_slice(), n);
                    for j in 0..m {
                        let column = b.column(j);
                        for p in 0..k {
                            let expected = dot(a.column(p).as_slice(), column.as_slice());
                            let got = out[p + j * k];
                            assert_eq!(
                                got.to_bits(),
                                expected.to_bits(),
                                "{isa:?} {n}×{k}×{m} ({p}, {j})"
                            );
                        }
                        let expected = sum(column.as_slice());
                        assert_eq!(
                            sums[j].to_bits(),
                            expected.to_bits(),
                            "{isa:?} {n}×{m} sum {j}"
                        );
                    }
                }
            }
        }
    }
}
