use figment::Jail;

use super::*;

// figment's `Jail` fixes the closure's error type (a large `figment::Error`).
#[allow(clippy::result_large_err)]
#[test]
fn layers_apply_in_order_and_env_wins() {
    Jail::expect_with(|jail| {
        jail.create_file(
            "default.yaml",
            "database:\n  url: sqlite://from-default.sqlite\nvectors:\n  uri: from-default\n",
        )?;
        jail.create_file("local.yaml", "vectors:\n  uri: from-local\n")?;
        jail.set_env("VITRINE__TORCH__DEVICE", "cpu");
        let settings = Settings::load(jail.directory()).map_err(|e| e.to_string())?;
        assert_eq!(settings.database.url, "sqlite://from-default.sqlite");
        assert_eq!(settings.vectors.uri, "from-local");
        assert_eq!(settings.torch.device, DeviceChoice::Cpu);
        jail.set_env("DATABASE_URL", "postgres://u:p@localhost/x");
        let settings = Settings::load(jail.directory()).map_err(|e| e.to_string())?;
        assert_eq!(settings.database.url, "postgres://u:p@localhost/x");
        Ok(())
    });
}

#[allow(clippy::result_large_err)]
#[test]
fn an_error_names_the_key() {
    Jail::expect_with(|jail| {
        jail.create_file("default.yaml", "server:\n  request_timeout_secs: soon\n")?;
        let error = Settings::load(jail.directory())
            .expect_err("a string is not a number")
            .to_string();
        assert!(error.contains("request_timeout_secs"), "{error}");
        jail.create_file("default.yaml", "database:\n  url: mysql://x\n")?;
        let error = Settings::load(jail.directory())
            .expect_err("mysql is refused")
            .to_string();
        assert!(error.contains("database.url"), "{error}");
        jail.create_file("default.yaml", "databse:\n  url: sqlite://x\n")?;
        let error = Settings::load(jail.directory())
            .expect_err("typo is refused")
            .to_string();
        assert!(error.contains("databse"), "{error}");
        Ok(())
    });
}

#[test]
fn redaction_hides_only_the_password() {
    assert_eq!(
        redact_url("postgres://vitrine:s3cret@db:5432/app"),
        "postgres://vitrine:***@db:5432/app"
    );
    assert_eq!(
        redact_url("sqlite://data/v.sqlite?mode=rwc"),
        "sqlite://data/v.sqlite?mode=rwc"
    );
}

#[test]
fn the_shipped_model_configuration_loads_and_matches_the_defaults() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../configs");
    let shipped = Figment::from(Serialized::defaults(Settings::default()))
        .merge(Yaml::file(dir.join("model.yaml")))
        .merge(Yaml::file(dir.join("inference.yaml")))
        .extract::<Settings>()
        .expect("configs/*.yaml parse");
    assert_eq!(shipped.encoders, EncoderSettings::default());
    assert_eq!(shipped.extract, ExtractSettings::default());
    assert_eq!(
        shipped.inference,
        crate::config::InferenceSettings::default()
    );
    shipped
        .inference
        .validate()
        .expect("the shipped inference settings are valid");
}

#[allow(clippy::result_large_err)]
#[test]
fn encoder_settings_are_validated_by_key() {
    Jail::expect_with(|jail| {
        jail.create_file("model.yaml", "encoders:\n  image:\n    resolution: 4\n")?;
        let error = Settings::load(jail.directory())
            .expect_err("too small")
            .to_string();
        assert!(error.contains("encoders.image.resolution"), "{error}");
        jail.create_file("model.yaml", "extract:\n  batch_size: 0\n")?;
        let error = Settings::load(jail.directory())
            .expect_err("zero")
            .to_string();
        assert!(error.contains("extract.batch_size"), "{error}");
        jail.create_file("model.yaml", "encoders:\n  text:\n    pooling: max\n")?;
        let error = Settings::load(jail.directory())
            .expect_err("unknown")
            .to_string();
        assert!(error.contains("pooling"), "{error}");
        Ok(())
    });
}
