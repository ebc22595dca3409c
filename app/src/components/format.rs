//! Numbers for people: thousands separators, money in the advertiser's currency, percentages,
//! and a dash where a ratio has no denominator.

/// `1234567` as `1,234,567`.
pub fn count(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3 + 1);
    if n < 0 {
        out.push('-');
    }
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

fn symbol(currency: &str) -> Option<&'static str> {
    match currency {
        "USD" => Some("$"),
        "EUR" => Some("€"),
        "GBP" => Some("£"),
        "JPY" => Some("¥"),
        _ => None,
    }
}

/// `1234.5` in `USD` as `$1,234.50`; an unknown currency keeps its code (`1,234.50 CHF`).
pub fn money(value: f64, currency: &str) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let cents = (value.abs() * 100.0).round() as i64;
    let amount = format!("{}.{:02}", count(cents / 100), cents % 100);
    let sign = if value < 0.0 && cents > 0 { "-" } else { "" };
    match symbol(currency) {
        Some(s) => format!("{sign}{s}{amount}"),
        None => format!("{sign}{amount} {currency}"),
    }
}

/// A ratio as a percentage with two decimals (`0.02413` as `2.41%`), or a dash.
pub fn percent(ratio: Option<f64>) -> String {
    match ratio.filter(|r| r.is_finite()) {
        Some(r) => format!("{:.2}%", r * 100.0),
        None => "—".to_owned(),
    }
}

/// Money per unit (CPC, CPM, CPA), or a dash.
pub fn money_or_dash(value: Option<f64>, currency: &str) -> String {
    value.map_or_else(|| "—".to_owned(), |v| money(v, currency))
}

/// Return on ad spend as a multiple (`3.21×`), or a dash.
pub fn multiple(value: Option<f64>) -> String {
    match value.filter(|v| v.is_finite()) {
        Some(v) => format!("{v:.2}×"),
        None => "—".to_owned(),
    }
}

/// A relative change with its sign (`0.0421` as `+4.21%`), or a dash.
pub fn signed_percent(ratio: f64) -> String {
    if ratio.is_finite() {
        format!("{:+.2}%", ratio * 100.0)
    } else {
        "—".to_owned()
    }
}

/// A p-value to four places, and `< 0.0001` below that.
pub fn p_value(p: f64) -> String {
    if !p.is_finite() {
        "—".to_owned()
    } else if p < 0.000_1 {
        "< 0.0001".to_owned()
    } else {
        format!("{p:.4}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_read_as_people_write_them() {
        assert_eq!(count(0), "0");
        assert_eq!(count(999), "999");
        assert_eq!(count(1_000), "1,000");
        assert_eq!(count(-1_234_567), "-1,234,567");
        assert_eq!(money(1234.5, "USD"), "$1,234.50");
        assert_eq!(money(0.004, "EUR"), "€0.00");
        assert_eq!(money(-12.345, "GBP"), "-£12.35");
        assert_eq!(money(1_000_000.0, "CHF"), "1,000,000.00 CHF");
        assert_eq!(money(f64::NAN, "USD"), "—");
        assert_eq!(percent(Some(0.024_13)), "2.41%");
        assert_eq!(percent(None), "—");
        assert_eq!(multiple(Some(3.2149)), "3.21×");
        assert_eq!(money_or_dash(None, "USD"), "—");
        assert_eq!(signed_percent(0.042_14), "+4.21%");
        assert_eq!(signed_percent(-0.1), "-10.00%");
        assert_eq!(signed_percent(f64::INFINITY), "—");
        assert_eq!(p_value(0.012_34), "0.0123");
        assert_eq!(p_value(1e-9), "< 0.0001");
    }
}
