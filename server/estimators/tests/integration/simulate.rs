//! Simulated worlds for the coverage tests, following the synthetic data generator's
//! advertising model (`server/src/data/generate/advertising.rs`): users with Poisson(2)
//! impressions and Bernoulli clicks in experiments; geos whose click rates differ in level
//! (0.7 to 1.3) and share a weekly rhythm, with a multiplicative effect from the intervention.

/// SplitMix64: seedable, and enough for simulation.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Self(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ 0xD1B5_4A32_D192_ED03)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64
    }

    pub fn bernoulli(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Knuth's product method; a large mean is split into parts of at most 30 (a sum of
    /// Poissons is Poisson), before `exp(-mean)` underflows.
    pub fn poisson(&mut self, mean: f64) -> u64 {
        if mean > 30.0 {
            return self.poisson(30.0) + self.poisson(mean - 30.0);
        }
        let limit = (-mean).exp();
        let (mut count, mut product) = (0, self.uniform());
        while product > limit {
            count += 1;
            product *= self.uniform();
        }
        count
    }
}

/// One experiment: per user `(arm, clicks, impressions)`, arms split 50/50.
pub fn experiment(
    rng: &mut Rng,
    users: usize,
    control_ctr: f64,
    lift: f64,
) -> Vec<(usize, f64, f64)> {
    (0..users)
        .map(|_| {
            let arm = usize::from(rng.bernoulli(0.5));
            let ctr = control_ctr * if arm == 1 { 1.0 + lift } else { 1.0 };
            let impressions = rng.poisson(2.0);
            let clicks = (0..impressions).filter(|_| rng.bernoulli(ctr)).count();
            (arm, clicks as f64, impressions as f64)
        })
        .collect()
}

/// A geo's level: 0.7 to 1.3 across `geos`.
pub fn geo_level(geo: usize, geos: usize) -> f64 {
    0.7 + 0.6 * geo as f64 / (geos - 1) as f64
}

/// The weekly rhythm every geo shares.
pub fn season(day: usize) -> f64 {
    1.0 + 0.15 * (day as f64 % 7.0 / 7.0 * std::f64::consts::TAU).sin()
}

/// Daily clicks per geo (`geos × days`, geo-major): Poisson around `clicks_per_day` times the
/// geo's level and the season, times `1 + effect` for `treated` geos from `intervention` on.
pub fn geo_clicks(
    rng: &mut Rng,
    treated: &[bool],
    days: usize,
    intervention: usize,
    clicks_per_day: f64,
    effect: f64,
) -> Vec<f64> {
    let geos = treated.len();
    let mut out = Vec::with_capacity(geos * days);
    for (g, &is_treated) in treated.iter().enumerate() {
        for day in 0..days {
            let boost = if is_treated && day >= intervention {
                1.0 + effect
            } else {
                1.0
            };
            let mean = clicks_per_day * geo_level(g, geos) * season(day) * boost;
            out.push(rng.poisson(mean) as f64);
        }
    }
    out
}
