//! The dataset of one sweep point: its generator, with the swept noise.

use data::{Blobs, Circles, Generator, Moons, Spirals, Xor};
use toml::Spanned;

use crate::study_file::{Diagnostics, RawStudy};

pub(super) fn generator(
    diag: &mut Diagnostics<'_>,
    raw: &RawStudy,
    point: &[(String, String)],
) -> Option<Generator> {
    let d = &raw.dataset;
    let swept_noise = point
        .iter()
        .find(|(k, _)| k == "noise")
        .and_then(|(_, v)| v.parse::<f64>().ok());
    let (noise, noise_span) = match (swept_noise, &d.noise) {
        (Some(n), _) => (n, raw.sweep.noise.as_ref().map(Spanned::span)),
        (None, Some(n)) => (*n.get_ref(), Some(n.span())),
        (None, None) => (0.0, None),
    };
    let value = |v: &Option<Spanned<f64>>, default: f64| {
        v.as_ref()
            .map_or((default, None), |s| (*s.get_ref(), Some(s.span())))
    };
    let result = match d.generator.get_ref().as_str() {
        "blobs" => {
            let (sep, span) = value(&d.separation, 2.0);
            Blobs::new(sep)
                .map(Generator::from)
                .map_err(|e| ("dataset.separation", span, e))
        }
        "moons" => Moons::new()
            .with_noise(noise)
            .map(Generator::from)
            .map_err(|e| ("dataset.noise", noise_span.clone(), e)),
        "xor" => Xor::new()
            .with_noise(noise)
            .map(Generator::from)
            .map_err(|e| ("dataset.noise", noise_span.clone(), e)),
        "circles" => {
            let (factor, span) = value(&d.factor, 0.5);
            Circles::new(factor)
                .map_err(|e| ("dataset.factor", span, e))
                .and_then(|c| {
                    c.with_noise(noise)
                        .map_err(|e| ("dataset.noise", noise_span.clone(), e))
                })
                .map(Generator::from)
        }
        "spirals" => {
            let (turns, span) = value(&d.turns, 1.5);
            Spirals::new(turns)
                .map_err(|e| ("dataset.turns", span, e))
                .and_then(|c| {
                    c.with_noise(noise)
                        .map_err(|e| ("dataset.noise", noise_span.clone(), e))
                })
                .map(Generator::from)
        }
        _ => return None, // Already reported.
    };
    match result {
        Ok(g) => Some(g),
        Err((field, span, e)) => {
            diag.problem(field, span, e.to_string());
            None
        }
    }
}
