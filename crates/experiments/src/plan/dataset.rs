//! The dataset of a study: its `[dataset]` table read into a [`GeneratorSpec`] (the one
//! dataset description, shared with `train`'s flags), and each sweep point's generator built
//! from it with the swept noise.

use std::ops::Range;

use data::{DataError, Generator, GeneratorKind, GeneratorParameter, GeneratorSpec};
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
    Some(DatasetDescription { spec, spans })
}

/// The generator of one sweep point: the description with the point's noise.
pub(super) fn generator(
    diag: &mut Diagnostics<'_>,
    description: &DatasetDescription,
    sweep: &RawSweep,
    point: &Point,
) -> Option<Generator> {
    let swept_noise = point.noise();
    let spec = match swept_noise {
        Some(noise) => description.spec.with_noise(noise),
        None => description.spec,
    };
    spec.build()
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
        .ok()
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
