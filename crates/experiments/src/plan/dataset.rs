//! The dataset of a study: its `[dataset]` table read into a [`GeneratorSpec`] (the one
//! dataset description, shared with `train`'s flags), each sweep point's generator built
//! from it with the swept noise and scale, and the Bayes error of each distinct
//! configuration ([`BayesErrors`]).

use std::ops::Range;
use std::sync::OnceLock;

use data::{BayesError, DataError, Generator, GeneratorKind, GeneratorParameter, GeneratorSpec};
use toml::Spanned;

use super::Point;
use crate::study_file::{Diagnostics, RawDataset, RawSweep};

/// The `[dataset]` table's generator, with where each of its values stands in the file.
#[derive(Debug, Clone)]
pub(super) struct DatasetDescription {
    /// The generator and the parameters given (those it does not take are reported and left
    /// out).
    spec: GeneratorSpec,
    /// Where each parameter given stands, by parameter.
    spans: Vec<(GeneratorParameter, Range<usize>)>,
    /// Where `scale` stands, when given.
    scale_span: Option<Range<usize>>,
}

/// Reads the generator and its parameters; `None` when the generator is unknown (reported).
pub(super) fn describe(diag: &mut Diagnostics<'_>, d: &RawDataset) -> Option<DatasetDescription> {
    let kind = match d.generator.get_ref().parse::<GeneratorKind>() {
        Ok(kind) => kind,
        Err(e) => {
            diag.problem("dataset.generator", Some(d.generator.span()), e.to_string());
            return None;
        }
    };
    let given: [(GeneratorParameter, &Option<Spanned<f64>>); 4] = [
        (GeneratorParameter::Noise, &d.noise),
        (GeneratorParameter::Separation, &d.separation),
        (GeneratorParameter::Factor, &d.factor),
        (GeneratorParameter::Turns, &d.turns),
    ];
    let mut spec = GeneratorSpec::new(kind);
    let mut spans = Vec::new();
    let scale_span = d.scale.as_ref().map(|s| {
        spec = spec.with_scale(*s.get_ref());
        s.span()
    });
    for (parameter, value) in given {
        if let Some(value) = value {
            spec = spec.with(parameter, Some(*value.get_ref()));
            spans.push((parameter, value.span()));
        }
    }
    // Every parameter the generator does not take is reported, not only the first.
    let not_taken: Vec<GeneratorParameter> = spec.parameters_not_taken().collect();
    for parameter in not_taken {
        let alone = GeneratorSpec::new(kind).with(parameter, spec.get(parameter));
        if let Err(e) = alone.build() {
            diag.problem(
                &format!("dataset.{parameter}"),
                span_of(&spans, parameter),
                e.to_string(),
            );
        }
        spec = spec.with(parameter, None);
    }
    Some(DatasetDescription {
        spec,
        spans,
        scale_span,
    })
}

/// The generator of one sweep point: the description with the point's noise and scale.
pub(super) fn generator(
    diag: &mut Diagnostics<'_>,
    description: &DatasetDescription,
    sweep: &RawSweep,
    point: &Point,
) -> Option<Generator> {
    let swept_noise = point.noise();
    let mut spec = match swept_noise {
        Some(noise) => description.spec.with_noise(noise),
        None => description.spec,
    };
    // The scale is checked on its own, so a bad scale is reported beside a bad parameter
    // (`build` stops at the first); the key is the swept scale's, or the table's.
    let mut scale_ok = true;
    if let Some(scale) = point.scale().or(description.spec.scale) {
        spec = spec.with_scale(scale);
        if let Err(e) = GeneratorSpec::new(spec.kind).with_scale(scale).build() {
            let (key, span) = match point.scale() {
                Some(_) => ("sweep.scale", sweep.scale.as_ref().map(Spanned::span)),
                None => ("dataset.scale", description.scale_span.clone()),
            };
            // The value as Rust's Debug writes it: 1e300 stays 1e300, not 301 digits.
            let message = match e {
                DataError::InvalidParameter {
                    value, expected, ..
                } => format!("scale = {value:?} is invalid: expected {expected}"),
                other => other.to_string(),
            };
            diag.problem(key, span, message);
            spec.scale = None;
            scale_ok = false;
        }
    }
    let generator = spec
        .build()
        .map_err(|e| {
            // Name the key the bad value came from: the swept noise, or the dataset table.
            let parameter = match e {
                DataError::ParameterNotTaken { parameter, .. } => Some(parameter),
                DataError::InvalidParameter { field, .. } => GeneratorParameter::ALL
                    .into_iter()
                    .find(|p| p.name() == field),
                _ => None,
            };
            let (key, span) = match parameter {
                Some(GeneratorParameter::Noise) if swept_noise.is_some() => (
                    "sweep.noise".to_owned(),
                    sweep.noise.as_ref().map(Spanned::span),
                ),
                Some(p) => (format!("dataset.{p}"), span_of(&description.spans, p)),
                None => ("dataset.generator".to_owned(), None),
            };
            diag.problem(&key, span, e.to_string());
        })
        .ok()?;
    scale_ok.then_some(generator)
}

fn span_of(
    spans: &[(GeneratorParameter, Range<usize>)],
    parameter: GeneratorParameter,
) -> Option<Range<usize>> {
    spans
        .iter()
        .find(|(p, _)| *p == parameter)
        .map(|(_, span)| span.clone())
}

/// The Bayes error of each distinct dataset configuration of a study, each computed once, on
/// first use, by whichever run needs it first (the others wait for it): it is a deterministic
/// function of the generator's parameters, and up to about 0.1 s for moons and spirals, so
/// computing it per run would cost a noticeable share of a short study.
///
/// Configurations that differ only in their feature scale share one entry: the Bayes error
/// does not depend on the scale (see `data::Generator::bayes_error`).
#[derive(Debug, Clone, Default)]
pub struct BayesErrors {
    entries: Vec<(Generator, OnceLock<BayesError>)>,
}

impl BayesErrors {
    /// One entry per distinct configuration among `generators`.
    pub fn new(generators: impl IntoIterator<Item = Generator>) -> Self {
        let mut entries: Vec<(Generator, OnceLock<BayesError>)> = Vec::new();
        for generator in generators {
            let key = unscaled(generator);
            if !entries.iter().any(|(g, _)| *g == key) {
                entries.push((key, OnceLock::new()));
            }
        }
        BayesErrors { entries }
    }

    /// The number of distinct configurations.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// How many have been computed so far.
    pub fn n_computed(&self) -> usize {
        self.entries
            .iter()
            .filter(|(_, e)| e.get().is_some())
            .count()
    }

    /// The Bayes error of `generator`'s data, computed on the first call for its
    /// configuration; `None` for a generator that is not one of the study's.
    pub fn of(&self, generator: &Generator) -> Option<BayesError> {
        let key = unscaled(*generator);
        self.entries
            .iter()
            .find(|(g, _)| *g == key)
            .map(|(g, error)| *error.get_or_init(|| g.bayes_error()))
    }
}

/// The generator at scale 1 (every generator takes scale 1, so this cannot fail; on failure
/// the generator itself is used, which only costs a separate entry).
fn unscaled(generator: Generator) -> Generator {
    generator.with_scale(1.0).unwrap_or(generator)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bayes_errors_are_shared_by_configuration_and_computed_once() {
        let moons =
            |noise: f64| -> Generator { data::Moons::new().with_noise(noise).unwrap().into() };
        let scaled = moons(0.3).with_scale(10.0).unwrap();
        let cache = BayesErrors::new([moons(0.3), scaled, moons(0.1), moons(0.3)]);
        assert_eq!(cache.len(), 2);
        assert_eq!(cache.n_computed(), 0);
        let first = cache.of(&scaled).unwrap();
        assert_eq!(cache.n_computed(), 1);
        assert_eq!(first, moons(0.3).bayes_error());
        assert_eq!(cache.of(&moons(0.3)), Some(first));
        assert_eq!(cache.n_computed(), 1);
        assert!(cache.of(&moons(0.2)).is_none());
    }
}
