//! The SQL of a run: its tables, and the statement a job sends.
//!
//! Each run gets tables of its own, named after a suffix the caller
//! picks (a cell's id, say), so that runs sharing a database do not
//! count each other's rows. The rows table has no key and no unique
//! constraint: a duplicate insert must land, to be seen in the books.
//! Statements go out with their parameter types given
//! (`query_typed`): one round trip per statement, the same on the
//! blocking and the async client, and no prepared statement to cache
//! per connection.

use postgres::types::Type;

use super::target::Statement;

/// Rows in the seeded table that [`Statement::Read`] reads.
pub const READ_ROWS: u64 = 1000;

/// The longest table suffix: PostgreSQL truncates identifiers at 63
/// bytes, and the longest prefix is 13.
pub const MAX_SUFFIX: usize = 50;

/// A run's tables and job statement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct RunSql {
    /// `contend_rows_<suffix>`: what [`Statement::Insert`] fills.
    pub rows_table: String,
    /// `contend_seed_<suffix>`, for [`Statement::Read`].
    pub seed_table: Option<String>,
    /// The statement a job sends.
    pub job: String,
    /// Whether `$1` is bound to the record id.
    pub binds_record: bool,
    /// Whether the books must reconcile the rows table.
    pub inserts: bool,
    /// How long a job holds its connection before its statement (the
    /// target's `hold`).
    pub hold: std::time::Duration,
}

/// The parameter type of `$1`.
pub(crate) const RECORD_TYPE: Type = Type::INT8;

impl RunSql {
    /// The SQL for `statement` with tables named after `suffix`.
    pub(crate) fn new(statement: &Statement, suffix: &str) -> Result<Self, String> {
        let valid = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_';
        if suffix.is_empty() || suffix.len() > MAX_SUFFIX || !suffix.chars().all(valid) {
            return Err(format!(
                "table suffix {suffix:?} must be 1 to {MAX_SUFFIX} characters of a-z, 0-9 and _"
            ));
        }
        let rows_table = format!("contend_rows_{suffix}");
        let seed_table =
            matches!(statement, Statement::Read).then(|| format!("contend_seed_{suffix}"));
        let job = match statement {
            Statement::Insert => format!("insert into {rows_table} (id) values ($1)"),
            Statement::Read => format!(
                "select id, payload from {} where id = $1",
                seed_table.as_deref().expect("a read has a seed table")
            ),
            Statement::Custom(sql) => sql.clone(),
        };
        Ok(Self {
            rows_table,
            seed_table,
            job,
            binds_record: statement.binds_record(),
            inserts: matches!(statement, Statement::Insert),
            hold: std::time::Duration::ZERO,
        })
    }

    /// The value `$1` gets for `record`, if the statement binds one.
    pub(crate) fn bind(&self, record: u64) -> Result<Option<i64>, String> {
        if !self.binds_record {
            return Ok(None);
        }
        let record = if self.seed_table.is_some() {
            record % READ_ROWS
        } else {
            record
        };
        i64::try_from(record)
            .map(Some)
            .map_err(|_| format!("record id {record} does not fit a bigint"))
    }

    /// Whether the job's statement must return a row (a read must find
    /// its row).
    pub(crate) fn expects_row(&self) -> bool {
        self.seed_table.is_some()
    }

    /// `Ok` unless the statement had to return a row (a read of record
    /// `bound`) and returned none of its `rows`.
    pub(crate) fn found(
        &self,
        bound: Option<i64>,
        rows: usize,
    ) -> Result<(), super::outcome::Failure> {
        if self.expects_row() && rows == 0 {
            return Err(super::outcome::Failure::Failed(format!(
                "no row {} in the seeded table",
                bound.unwrap_or_default()
            )));
        }
        Ok(())
    }

    /// Creates the run's tables afresh, dropping leftovers of an earlier
    /// run with the same suffix.
    pub(crate) fn create(&self) -> String {
        let mut sql = format!(
            "drop table if exists {rows}; create table {rows} (id bigint not null);",
            rows = self.rows_table
        );
        if let Some(seed) = &self.seed_table {
            sql.push_str(&format!(
                "drop table if exists {seed}; \
                 create table {seed} (id bigint primary key, payload text not null); \
                 insert into {seed} select n, md5(n::text) from generate_series(0, {last}) n; \
                 analyze {seed};",
                last = READ_ROWS - 1
            ));
        }
        sql
    }

    /// Each id in the rows table with its number of copies.
    pub(crate) fn count_rows(&self) -> String {
        format!(
            "select id, count(*) from {} group by id order by id",
            self.rows_table
        )
    }

    /// Drops the run's tables.
    pub(crate) fn drop_tables(&self) -> String {
        let mut tables = vec![self.rows_table.as_str()];
        tables.extend(self.seed_table.as_deref());
        format!("drop table if exists {}", tables.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_are_named_after_the_suffix_and_bad_suffixes_are_refused() {
        let sql = RunSql::new(&Statement::Insert, "cell_7").unwrap();
        assert_eq!(sql.rows_table, "contend_rows_cell_7");
        assert_eq!(sql.job, "insert into contend_rows_cell_7 (id) values ($1)");
        assert_eq!(sql.seed_table, None);
        assert_eq!(sql.bind(42).unwrap(), Some(42));
        for bad in ["", "Cell", "a;drop table x", &"x".repeat(MAX_SUFFIX + 1)] {
            assert!(RunSql::new(&Statement::Insert, bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn reads_wrap_around_the_seeded_rows_and_custom_binds_only_with_a_dollar_one() {
        let read = RunSql::new(&Statement::Read, "r").unwrap();
        assert_eq!(read.seed_table.as_deref(), Some("contend_seed_r"));
        assert_eq!(read.bind(READ_ROWS + 5).unwrap(), Some(5));
        assert!(read.expects_row());
        assert_eq!(
            read.drop_tables(),
            "drop table if exists contend_rows_r, contend_seed_r"
        );
        let sleep = RunSql::new(&Statement::Custom("select pg_sleep(0.2)".into()), "c").unwrap();
        assert_eq!(sleep.bind(1).unwrap(), None);
        let custom = RunSql::new(&Statement::Custom("select $1::bigint".into()), "c").unwrap();
        assert_eq!(custom.bind(1).unwrap(), Some(1));
        assert!(custom.bind(u64::MAX).is_err());
    }
}
