//! Bad input is a typed error, never NaN in a result.

use estimators::*;

#[test]
fn a_study_with_fewer_than_two_pre_periods_is_refused() {
    let err = Panel::new(vec![true, false], 4, vec![1.0; 8], 1).expect_err("one pre-period");
    assert!(
        matches!(
            err,
            StatsError::TooFew {
                needed: 2,
                got: 1,
                ..
            }
        ),
        "{err}"
    );
    let donors = vec![vec![1.0, 2.0, 3.0], vec![2.0, 3.0, 4.0]];
    let err = synthetic_control(&SynthInput {
        treated: &[1.5, 2.5, 3.5],
        donors: &donors,
        pre_periods: 1,
        covariates: None,
        scale: Scale::Level,
    })
    .expect_err("one pre-period");
    assert!(err.to_string().contains("pre-periods"), "{err}");
}

#[test]
fn an_empty_arm_is_refused() {
    assert!(matches!(
        Proportion::new(0, 0),
        Err(StatsError::TooFew { .. })
    ));
    assert!(matches!(Summary::of(&[]), Err(StatsError::TooFew { .. })));
    assert!(matches!(
        RatioSummary::of(&[], &[]),
        Err(StatsError::TooFew { .. })
    ));
}

#[test]
fn nan_and_degenerate_data_are_errors() {
    assert!(matches!(
        Summary::of(&[1.0, f64::NAN]),
        Err(StatsError::NotFinite { .. })
    ));
    let constant = Summary::of(&[2.0, 2.0, 2.0]).expect("a summary");
    assert!(matches!(
        welch_test(&constant, &constant, 0.95),
        Err(StatsError::Degenerate(_))
    ));
    let none = Proportion::new(0, 100).expect("valid");
    assert!(matches!(
        two_proportion_test(none, none, 0.95),
        Err(StatsError::Degenerate(_))
    ));
    assert!(matches!(
        holm(&[0.1, f64::NAN]),
        Err(StatsError::Invalid(_))
    ));
    assert!(matches!(
        sample_ratio_check(&[0, 0], &[1.0, 1.0]),
        Err(StatsError::TooFew { .. })
    ));
    assert!(matches!(
        sample_size(0.05, 0.05, 0.05, 0.8, 1.0),
        Err(StatsError::Invalid(_))
    ));
    assert!(matches!(
        two_proportion_test(none, none, 1.5),
        Err(StatsError::Invalid(_))
    ));
}

#[test]
fn collinear_designs_are_errors() {
    // Every unit treated: the treatment is its unit effects.
    assert!(Panel::new(vec![true, true], 4, vec![1.0; 8], 2).is_err());
}
