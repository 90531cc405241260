//! Check the hand-written backpropagation of a deep tanh net against central finite
//! differences, then show that the check catches a deliberately broken gradient.
//!
//! Run: `cargo run -p models --example gradient_check`

use models::prelude::*;
use models::{Differentiable, check_gradients, compare_gradients};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut rng = ChaCha8Rng::seed_from_u64(3);
    let mlp = MlpConfig::new(&[2, 10, 10, 10, 1])
        .with_hidden_activation(Activation::Tanh)
        .initialise(&mut rng)?;
    let x = Matrix::from_row_slice(4, 2, &[0.3, -1.2, 0.8, 0.1, -0.5, 0.9, 1.1, -0.4]);
    let data = Dataset::new(x, Vector::from_vec(vec![0.0, 1.0, 1.0, 0.0]))?;

    let check = check_gradients(&mlp, &data, 0.0)?;
    for t in &check.tensors {
        println!(
            "{:<16} {:>4} parameters  relative error {:.2e}",
            t.name, t.n_parameters, t.relative_error
        );
    }

    // Break one tensor's gradient by 1 % and compare again.
    let names: Vec<String> = (0..mlp.n_tensors()).map(|t| mlp.tensor_name(t)).collect();
    let mut broken = mlp.gradient(&data, 0.0);
    broken[2].iter_mut().for_each(|g| *g *= 1.01);
    let numeric =
        models::finite_difference_gradient(&mlp, &data, 0.0, mlp.finite_difference_step());
    let caught = compare_gradients(&names, &broken, &numeric);
    println!(
        "with {} scaled by 1.01: relative error {:.2e}",
        names[2], caught.tensors[2].relative_error
    );

    // The answer to check: the real gradient agrees to 1e-6, the broken one is caught.
    assert!(check.passes(1e-6));
    assert!(caught.tensors[2].relative_error > 1e-3);
    println!("ok");
    Ok(())
}
