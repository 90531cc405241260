//! Reading the numeric CSV files a study wrote (`curves/*.csv`, `gradients/*.csv`).

use std::path::Path;

/// A numeric CSV file with a header: `curves/*.csv` or `gradients/*.csv`.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    /// The header's column names.
    pub columns: Vec<String>,
    /// One row per line; an empty cell is NaN.
    pub rows: Vec<Vec<f64>>,
}

/// Reads a [`Table`]; cells such as `inf` and `NaN` (a diverged loss) parse as floats.
///
/// # Errors
/// A message naming the file and line of an unreadable file, a ragged row or a cell that is
/// not a number.
pub fn read_table(path: &Path) -> Result<Table, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let mut lines = text.lines();
    let columns: Vec<String> = lines
        .next()
        .ok_or_else(|| format!("{} is empty", path.display()))?
        .split(',')
        .map(str::to_owned)
        .collect();
    let mut rows = Vec::new();
    for (i, line) in lines.enumerate().filter(|(_, l)| !l.is_empty()) {
        let row: Vec<f64> = line
            .split(',')
            .map(|cell| {
                if cell.is_empty() {
                    Ok(f64::NAN)
                } else {
                    cell.parse::<f64>()
                }
            })
            .collect::<Result<_, _>>()
            .map_err(|e| format!("{}:{}: {e}", path.display(), i + 2))?;
        if row.len() != columns.len() {
            return Err(format!(
                "{}:{}: {} cells under a header of {}",
                path.display(),
                i + 2,
                row.len(),
                columns.len()
            ));
        }
        rows.push(row);
    }
    Ok(Table { columns, rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_read_empty_cells_and_infinities() {
        let dir = std::env::temp_dir().join(format!("figures-table-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("curve.csv");
        std::fs::write(&path, "epoch,train_loss,test_loss\n0,0.7,0.69\n1,inf,\n").unwrap();
        let table = read_table(&path).unwrap();
        assert_eq!(table.columns.len(), 3);
        assert_eq!(table.rows[0], vec![0.0, 0.7, 0.69]);
        assert!(table.rows[1][1].is_infinite() && table.rows[1][2].is_nan());
        std::fs::write(&path, "epoch,train_loss\n0,0.7,1\n").unwrap();
        assert!(read_table(&path).unwrap_err().contains(":2:"));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
