//! The MLP at the top of each tower: hidden layers with an activation and dropout, then a
//! linear map into the shared space.

use tch::Tensor;
use tch::nn::{self, Module, ModuleT};

use crate::config::Activation;

#[derive(Debug)]
pub struct Mlp {
    hidden: Vec<nn::Linear>,
    out: nn::Linear,
    activation: Activation,
    dropout: f64,
}

impl Mlp {
    /// A tower's MLP as `settings` shape it: `input` -> hidden widths -> `dim`.
    pub fn for_tower(
        p: &nn::Path<'_>,
        input: i64,
        settings: &crate::config::TwoTowerSettings,
    ) -> Self {
        Self::new(
            &(p / "mlp"),
            input,
            &settings.hidden,
            settings.dim,
            settings.activation,
            settings.dropout,
        )
    }

    pub fn new(
        p: &nn::Path<'_>,
        input: i64,
        hidden: &[i64],
        out: i64,
        activation: Activation,
        dropout: f64,
    ) -> Self {
        let mut width = input;
        let layers = hidden
            .iter()
            .enumerate()
            .map(|(i, &h)| {
                let layer = nn::linear(p / format!("hidden{i}"), width, h, Default::default());
                width = h;
                layer
            })
            .collect();
        Self {
            hidden: layers,
            out: nn::linear(p / "out", width, out, Default::default()),
            activation,
            dropout,
        }
    }
}

impl ModuleT for Mlp {
    fn forward_t(&self, x: &Tensor, train: bool) -> Tensor {
        let mut x = x.shallow_clone();
        for layer in &self.hidden {
            x = layer.forward(&x);
            x = match self.activation {
                Activation::Relu => x.relu(),
                Activation::Gelu => x.gelu("none"),
            };
            x = x.dropout(self.dropout, train);
        }
        self.out.forward(&x)
    }
}
