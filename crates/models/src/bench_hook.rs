//! Not part of the API: a hook that runs exactly one full-batch training epoch, so the
//! criterion benchmarks can time an epoch without also timing allocation and initialisation.

use core_linalg::Dataset;

use crate::Mlp;
use crate::network::{Layer, Network, Workspace};

/// One full-batch epoch of gradient descent, as `fit` runs it: forward pass, loss and output
/// gradient, backward pass, parameter update. Buffers are allocated once, in [`new`].
///
/// [`new`]: FullBatchEpoch::new
#[derive(Debug)]
pub struct FullBatchEpoch {
    network: Network,
    workspace: Workspace,
    gradients: Vec<Layer>,
    data: Dataset,
    learning_rate: f64,
}

impl FullBatchEpoch {
    /// Prepares to train `initial` on `data` with the given step size and no L2 penalty.
    pub fn new(initial: Mlp, data: &Dataset, learning_rate: f64) -> Self {
        let network = initial.fitted.network;
        FullBatchEpoch {
            workspace: Workspace::new(&network, data.n_samples()),
            gradients: network.zero_gradients(),
            network,
            data: data.clone(),
            learning_rate,
        }
    }

    /// Runs one epoch and returns the training loss measured at its start.
    pub fn run(&mut self) -> f64 {
        let (x, y) = (self.data.features(), self.data.labels().as_slice());
        self.network.forward(x, &mut self.workspace);
        let loss = self
            .network
            .objective_and_output_gradient(&mut self.workspace, y, 0.0);
        self.network.backward_from_output_gradient(
            x,
            0.0,
            &mut self.workspace,
            &mut self.gradients,
        );
        self.network.descend(self.learning_rate, &self.gradients);
        loss
    }
}
