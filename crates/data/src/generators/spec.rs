//! A dataset generator described by its kind and the parameters given, validated into a
//! [`Generator`] in one place, whoever wrote the description (a study file, command-line
//! flags, a web form).
//!
//! A parameter left out takes the generator type's own default (`Blobs::DEFAULT_SEPARATION`,
//! `Circles::DEFAULT_FACTOR`, `Spirals::DEFAULT_TURNS`, each type's `DEFAULT_NOISE`), so every
//! description of a dataset means the same data. To add a parameter: a [`GeneratorParameter`]
//! variant, a field here, its row in [`GeneratorKind::parameters`] and [`default_value`], and
//! its use in [`GeneratorSpec::build`]. The feature scale is not such a parameter: every
//! generator takes it (default 1), so it is a field of its own, [`GeneratorSpec::scale`].

use super::{Blobs, Circles, Generator, GeneratorKind, Moons, Spirals, Xor};
use crate::DataError;

/// A parameter a generator may take.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum GeneratorParameter {
    /// The standard deviation of the Gaussian noise on each coordinate (moons, circles, xor,
    /// spirals).
    Noise,
    /// The distance between the blob means, in standard deviations (blobs).
    Separation,
    /// The inner circle's radius (circles).
    Factor,
    /// The number of turns of each spiral (spirals).
    Turns,
}

impl GeneratorParameter {
    /// Every parameter, in the order descriptions list them.
    pub const ALL: [GeneratorParameter; 4] = [
        GeneratorParameter::Noise,
        GeneratorParameter::Separation,
        GeneratorParameter::Factor,
        GeneratorParameter::Turns,
    ];

    /// The lowercase name used in study files and flags: `noise`, `separation`, `factor`,
    /// `turns`.
    pub fn name(self) -> &'static str {
        match self {
            GeneratorParameter::Noise => "noise",
            GeneratorParameter::Separation => "separation",
            GeneratorParameter::Factor => "factor",
            GeneratorParameter::Turns => "turns",
        }
    }
}

impl std::fmt::Display for GeneratorParameter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl GeneratorKind {
    /// The parameters this generator takes, in the order of [`GeneratorParameter::ALL`].
    pub fn parameters(self) -> &'static [GeneratorParameter] {
        use GeneratorParameter::{Factor, Noise, Separation, Turns};
        match self {
            GeneratorKind::Blobs => &[Separation],
            GeneratorKind::Moons | GeneratorKind::Xor => &[Noise],
            GeneratorKind::Circles => &[Noise, Factor],
            GeneratorKind::Spirals => &[Noise, Turns],
        }
    }
}

/// The value `kind` uses for `parameter` when a description gives none: the generator type's
/// own constant. `None` when `kind` does not take `parameter`.
///
/// # Example
/// ```
/// use data::{Blobs, GeneratorKind, GeneratorParameter, default_value};
/// let separation = default_value(GeneratorKind::Blobs, GeneratorParameter::Separation);
/// assert_eq!(separation, Some(Blobs::DEFAULT_SEPARATION));
/// assert_eq!(default_value(GeneratorKind::Blobs, GeneratorParameter::Noise), None);
/// ```
pub fn default_value(kind: GeneratorKind, parameter: GeneratorParameter) -> Option<f64> {
    use GeneratorParameter::{Factor, Noise, Separation, Turns};
    match (kind, parameter) {
        (GeneratorKind::Blobs, Separation) => Some(Blobs::DEFAULT_SEPARATION),
        (GeneratorKind::Moons, Noise) => Some(Moons::DEFAULT_NOISE),
        (GeneratorKind::Xor, Noise) => Some(Xor::DEFAULT_NOISE),
        (GeneratorKind::Circles, Noise) => Some(Circles::DEFAULT_NOISE),
        (GeneratorKind::Circles, Factor) => Some(Circles::DEFAULT_FACTOR),
        (GeneratorKind::Spirals, Noise) => Some(Spirals::DEFAULT_NOISE),
        (GeneratorKind::Spirals, Turns) => Some(Spirals::DEFAULT_TURNS),
        _ => None,
    }
}

/// A generator's kind and the parameters a description gave; [`GeneratorSpec::build`]
/// validates it into a [`Generator`].
///
/// # Example
/// ```
/// use data::{Generator, GeneratorKind, GeneratorSpec, Spirals};
/// let spec = GeneratorSpec::new(GeneratorKind::Spirals).with_noise(0.05);
/// let expected = Spirals::new(Spirals::DEFAULT_TURNS)?.with_noise(0.05)?;
/// assert_eq!(spec.build()?, Generator::from(expected));
///
/// // A parameter the generator does not take is refused, not ignored.
/// let err = GeneratorSpec::new(GeneratorKind::Blobs).with_noise(0.1).build().unwrap_err();
/// assert_eq!(err.to_string(), "blobs has no parameter noise; it takes separation");
/// # Ok::<(), data::DataError>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct GeneratorSpec {
    /// Which generator.
    pub kind: GeneratorKind,
    /// Gaussian noise standard deviation, if given.
    pub noise: Option<f64>,
    /// Blob separation in standard deviations, if given.
    pub separation: Option<f64>,
    /// Inner circle radius, if given.
    pub factor: Option<f64>,
    /// Spiral turns, if given.
    pub turns: Option<f64>,
    /// The constant every feature is multiplied by, if given (default 1; every generator
    /// takes it).
    pub scale: Option<f64>,
}

impl GeneratorSpec {
    /// `kind` with no parameter given (each takes its default).
    pub fn new(kind: GeneratorKind) -> Self {
        GeneratorSpec {
            kind,
            noise: None,
            separation: None,
            factor: None,
            turns: None,
            scale: None,
        }
    }

    /// Gives the feature scale.
    pub fn with_scale(mut self, scale: f64) -> Self {
        self.scale = Some(scale);
        self
    }

    /// Gives the noise.
    pub fn with_noise(self, noise: f64) -> Self {
        self.with(GeneratorParameter::Noise, Some(noise))
    }

    /// Gives `parameter` the value `value` (`None`: not given).
    pub fn with(mut self, parameter: GeneratorParameter, value: Option<f64>) -> Self {
        *self.slot(parameter) = value;
        self
    }

    /// The value given for `parameter`, if any.
    pub fn get(&self, parameter: GeneratorParameter) -> Option<f64> {
        match parameter {
            GeneratorParameter::Noise => self.noise,
            GeneratorParameter::Separation => self.separation,
            GeneratorParameter::Factor => self.factor,
            GeneratorParameter::Turns => self.turns,
        }
    }

    fn slot(&mut self, parameter: GeneratorParameter) -> &mut Option<f64> {
        match parameter {
            GeneratorParameter::Noise => &mut self.noise,
            GeneratorParameter::Separation => &mut self.separation,
            GeneratorParameter::Factor => &mut self.factor,
            GeneratorParameter::Turns => &mut self.turns,
        }
    }

    /// The parameters given that this kind does not take, in the order of
    /// [`GeneratorParameter::ALL`].
    pub fn parameters_not_taken(&self) -> impl Iterator<Item = GeneratorParameter> + '_ {
        GeneratorParameter::ALL
            .into_iter()
            .filter(|&p| self.get(p).is_some() && !self.kind.parameters().contains(&p))
    }

    /// The value `build` uses for `parameter`: the one given, else the default.
    fn value(&self, parameter: GeneratorParameter) -> f64 {
        self.get(parameter)
            .or(default_value(self.kind, parameter))
            .expect("every parameter a kind takes has a default")
    }

    /// Validates the description into a generator.
    ///
    /// # Errors
    /// [`DataError::ParameterNotTaken`] for the first parameter given that the kind does not
    /// take, then the generator's own [`DataError::InvalidParameter`] naming the field, its
    /// value and what is allowed (for circles the factor is checked before the noise, for
    /// spirals the turns; the scale, field `scale`, last).
    pub fn build(&self) -> Result<Generator, DataError> {
        use GeneratorParameter::{Factor, Noise, Separation, Turns};
        if let Some(parameter) = self.parameters_not_taken().next() {
            return Err(DataError::ParameterNotTaken {
                generator: self.kind,
                parameter,
                takes: self
                    .kind
                    .parameters()
                    .iter()
                    .map(|p| p.name())
                    .collect::<Vec<_>>()
                    .join(", "),
            });
        }
        let generator: Generator = match self.kind {
            GeneratorKind::Blobs => Blobs::new(self.value(Separation))?.into(),
            GeneratorKind::Moons => Moons::new().with_noise(self.value(Noise))?.into(),
            GeneratorKind::Xor => Xor::new().with_noise(self.value(Noise))?.into(),
            GeneratorKind::Circles => Circles::new(self.value(Factor))?
                .with_noise(self.value(Noise))?
                .into(),
            GeneratorKind::Spirals => Spirals::new(self.value(Turns))?
                .with_noise(self.value(Noise))?
                .into(),
        };
        match self.scale {
            Some(scale) => generator.with_scale(scale),
            None => Ok(generator),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_parameter_a_kind_takes_has_a_default_and_no_other() {
        for kind in GeneratorKind::ALL {
            for parameter in GeneratorParameter::ALL {
                assert_eq!(
                    default_value(kind, parameter).is_some(),
                    kind.parameters().contains(&parameter),
                    "{kind} {parameter}"
                );
            }
            // A description without parameters builds the generator with its defaults.
            assert_eq!(GeneratorSpec::new(kind).build().unwrap().kind(), kind);
        }
    }

    #[test]
    fn defaults_are_the_generator_types_own() {
        let built = |kind| GeneratorSpec::new(kind).build().unwrap();
        assert_eq!(built(GeneratorKind::Moons), Generator::from(Moons::new()));
        assert_eq!(built(GeneratorKind::Xor), Generator::from(Xor::new()));
        assert_eq!(
            built(GeneratorKind::Blobs),
            Generator::from(Blobs::new(Blobs::DEFAULT_SEPARATION).unwrap())
        );
        assert_eq!(
            built(GeneratorKind::Circles),
            Generator::from(Circles::new(Circles::DEFAULT_FACTOR).unwrap())
        );
        assert_eq!(
            built(GeneratorKind::Spirals),
            Generator::from(Spirals::new(Spirals::DEFAULT_TURNS).unwrap())
        );
    }

    #[test]
    fn given_values_are_used_and_checked() {
        let spec = GeneratorSpec::new(GeneratorKind::Circles)
            .with(GeneratorParameter::Factor, Some(0.3))
            .with_noise(0.1);
        assert_eq!(
            spec.build().unwrap(),
            Generator::from(Circles::new(0.3).unwrap().with_noise(0.1).unwrap())
        );
        // The factor is checked before the noise, and the error names the field and value.
        let both_bad = GeneratorSpec::new(GeneratorKind::Circles)
            .with(GeneratorParameter::Factor, Some(2.0))
            .with_noise(-1.0);
        assert!(matches!(
            both_bad.build(),
            Err(DataError::InvalidParameter { field: "factor", value, .. }) if value == 2.0
        ));
        let bad_noise = GeneratorSpec::new(GeneratorKind::Moons).with_noise(f64::NAN);
        assert!(matches!(
            bad_noise.build(),
            Err(DataError::InvalidParameter { field: "noise", .. })
        ));
    }

    #[test]
    fn the_scale_is_taken_by_every_kind_and_checked_last() {
        for kind in GeneratorKind::ALL {
            let scaled = GeneratorSpec::new(kind).with_scale(10.0).build().unwrap();
            assert_eq!(scaled.scale(), 10.0);
            assert_eq!(
                scaled,
                GeneratorSpec::new(kind)
                    .build()
                    .unwrap()
                    .with_scale(10.0)
                    .unwrap()
            );
            assert_eq!(GeneratorSpec::new(kind).build().unwrap().scale(), 1.0);
            for bad in [0.0, -1.0, f64::NAN, f64::INFINITY, 1e7] {
                let err = GeneratorSpec::new(kind)
                    .with_scale(bad)
                    .build()
                    .unwrap_err();
                assert!(
                    matches!(err, DataError::InvalidParameter { field: "scale", .. }),
                    "{kind} {bad}: {err}"
                );
            }
        }
        // Another parameter's problem is reported first.
        let err = GeneratorSpec::new(GeneratorKind::Moons)
            .with_noise(-1.0)
            .with_scale(0.0)
            .build()
            .unwrap_err();
        assert!(matches!(
            err,
            DataError::InvalidParameter { field: "noise", .. }
        ));
    }

    #[test]
    fn parameters_a_kind_does_not_take_are_refused_in_order() {
        let spec = GeneratorSpec::new(GeneratorKind::Moons)
            .with(GeneratorParameter::Turns, Some(2.0))
            .with(GeneratorParameter::Separation, Some(3.0));
        assert_eq!(
            spec.parameters_not_taken().collect::<Vec<_>>(),
            [GeneratorParameter::Separation, GeneratorParameter::Turns]
        );
        let err = spec.build().unwrap_err();
        assert_eq!(
            err.to_string(),
            "moons has no parameter separation; it takes noise"
        );
        let err = GeneratorSpec::new(GeneratorKind::Circles)
            .with(GeneratorParameter::Turns, Some(2.0))
            .build()
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "circles has no parameter turns; it takes noise, factor"
        );
    }
}
