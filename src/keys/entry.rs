//! Reading the fields of a cloud master-key metadata entry (`kms`, `gcp_kms`, `azure_kv`,
//! `hc_vault`): the same string and `created_at` rules apply to every type (spec §4.1).

use crate::error::{Error, Result};
use crate::tree::{Map, Timestamp, Value};

/// The fields of one entry of the metadata list `type_name`, with errors naming that list.
pub(crate) struct Entry<'a> {
    type_name: &'static str,
    map: &'a Map,
}

impl<'a> Entry<'a> {
    /// An entry of the list `type_name` (e.g. `"kms"`).
    pub(crate) fn new(type_name: &'static str, map: &'a Map) -> Entry<'a> {
        Entry { type_name, map }
    }

    /// An `InvalidMetadata` error naming the list.
    pub(crate) fn error(&self, what: &str) -> Error {
        Error::InvalidMetadata(format!("{} key entry: {what}", self.type_name))
    }

    /// A string field that must be present.
    pub(crate) fn required(&self, key: &str) -> Result<String> {
        match self.map.get(key) {
            Some(Value::Str(s)) => Ok(s.to_string()),
            _ => Err(self.error(&format!("no string {key:?}"))),
        }
    }

    /// A string field that reads as `""` when absent or null, as sops's structs do.
    pub(crate) fn optional(&self, key: &str) -> Result<String> {
        match self.map.get(key) {
            None | Some(Value::Null) => Ok(String::new()),
            Some(Value::Str(s)) => Ok(s.to_string()),
            Some(_) => Err(self.error(&format!("{key:?} is not a string"))),
        }
    }

    /// `created_at`, which must be RFC 3339 (text or a YAML timestamp); sops re-emits it
    /// as `CreationDate.UTC().Format(time.RFC3339)`, so it is returned in UTC.
    pub(crate) fn created_at(&self) -> Result<String> {
        match self.map.get("created_at") {
            Some(Value::Str(s)) => Timestamp::parse_rfc3339(s)
                .map(utc_rfc3339)
                .ok_or_else(|| self.error(&format!("created_at {:?} is not RFC 3339", &**s))),
            Some(Value::Time(t)) => Ok(utc_rfc3339(*t)),
            _ => Err(self.error("no string \"created_at\"")),
        }
    }
}

/// `t` converted to UTC and printed as Go's `time.RFC3339`.
pub(crate) fn utc_rfc3339(t: Timestamp) -> String {
    match t.offset_seconds {
        None | Some(0) => t.to_rfc3339(),
        Some(off) => {
            let secs = days_from_civil(t.year, t.month, t.day) * 86_400
                + i64::from(t.hour) * 3600
                + i64::from(t.minute) * 60
                + i64::from(t.second)
                - i64::from(off);
            Timestamp::from_unix(secs).to_rfc3339()
        }
    }
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
fn days_from_civil(year: i32, month: u8, day: u8) -> i64 {
    let (m, d) = (i64::from(month), i64::from(day));
    let y = i64::from(year) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    fn map(pairs: &[(&str, Value)]) -> Map {
        let mut m = Map::new();
        for (k, v) in pairs {
            m.push(*k, v.clone());
        }
        m
    }

    #[test]
    fn created_at_is_converted_to_utc() {
        let m = map(&[("created_at", Value::str("2026-01-01T01:30:00+02:00"))]);
        assert_eq!(
            Entry::new("kms", &m).created_at().unwrap(),
            "2025-12-31T23:30:00Z"
        );
        let m = map(&[("created_at", Value::str("2024-02-29T12:00:00Z"))]);
        assert_eq!(
            Entry::new("kms", &m).created_at().unwrap(),
            "2024-02-29T12:00:00Z"
        );
    }

    #[test]
    fn bad_or_missing_created_at_names_the_list() {
        let m = map(&[("created_at", Value::str("yesterday"))]);
        let err = Entry::new("gcp_kms", &m)
            .created_at()
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("gcp_kms key entry") && err.contains("yesterday"),
            "{err}"
        );
        let m = Map::new();
        assert!(Entry::new("hc_vault", &m).created_at().is_err());
    }

    #[test]
    fn optional_and_required_strings() {
        let m = map(&[
            ("a", Value::str("x")),
            ("n", Value::Null),
            ("i", Value::Int(3)),
        ]);
        let e = Entry::new("azure_kv", &m);
        assert_eq!(e.required("a").unwrap(), "x");
        assert!(e.required("n").is_err());
        assert!(e.required("missing").is_err());
        assert_eq!(e.optional("n").unwrap(), "");
        assert_eq!(e.optional("missing").unwrap(), "");
        assert!(e.optional("i").is_err());
    }
}
