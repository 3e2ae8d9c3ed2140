//! A unit column (`单位`, `计量单位`) that says the same in every row is no column: its unit
//! goes to the table's unit line (`单位：万吨`) and the column is left out, in every edition,
//! as a statistical bulletin prints it. A table whose rows have different units keeps the
//! column.

use crate::model::walk;
use crate::model::{Block, BlockKind};

/// Headings that name a column of units.
const UNIT_HEADINGS: [&str; 2] = ["单位", "计量单位"];

/// Folds every table's unit column whose rows all hold the same unit into its unit line.
pub(crate) fn fold(blocks: &mut [Block]) {
    walk::blocks_mut(blocks, &mut |block| {
        let BlockKind::Table { unit, data, .. } = &mut block.kind else { return };
        // A table that has a unit line already, or whose numbers carry their own units in
        // the headings, keeps its column: two units would disagree.
        if !unit.is_empty() || data.rows.is_empty() {
            return;
        }
        let Some(column) = (1..data.header.len()).find(|&i| UNIT_HEADINGS.contains(&data.header[i].trim())) else { return };
        let first = match data.rows[0].get(column) {
            Some(cell) if !cell.numeric && !cell.text.trim().is_empty() && cell.text != "—" => cell.text.clone(),
            _ => return,
        };
        if !data.rows.iter().all(|row| row.get(column).is_some_and(|cell| cell.text == first)) {
            return;
        }
        data.header.remove(column);
        for row in &mut data.rows {
            row.remove(column);
        }
        *unit = format!("单位：{first}");
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Cell, SourcePos, TableData};

    fn table(units: &[&str]) -> Block {
        let rows = units
            .iter()
            .enumerate()
            .map(|(i, u)| {
                vec![Cell { text: format!("产品{i}"), numeric: false }, Cell { text: (*u).into(), numeric: false }, Cell { text: "1.5".into(), numeric: true }]
            })
            .collect();
        Block {
            kind: BlockKind::Table {
                number: 1,
                label: "表 1".into(),
                anchor: "tbl-n1".into(),
                data_table: "t".into(),
                caption: String::new(),
                unit: String::new(),
                note: String::new(),
                source_note: String::new(),
                data: TableData { header: vec!["产品".into(), "单位".into(), "产量".into()], rows, totals: Vec::new() },
            },
            source: SourcePos { file: "a.md".into(), line: 1 },
        }
    }

    #[test]
    fn one_unit_for_every_row_goes_to_the_unit_line() {
        let mut blocks = vec![table(&["万吨", "万吨", "万吨"])];
        fold(&mut blocks);
        let BlockKind::Table { unit, data, .. } = &blocks[0].kind else { panic!() };
        assert_eq!(unit, "单位：万吨");
        assert_eq!(data.header, ["产品", "产量"]);
        assert!(data.rows.iter().all(|row| row.len() == 2 && row[1].text == "1.5"));
    }

    #[test]
    fn mixed_units_keep_their_column() {
        let mut blocks = vec![table(&["万吨", "亿千瓦时", "万吨"])];
        fold(&mut blocks);
        let BlockKind::Table { unit, data, .. } = &blocks[0].kind else { panic!() };
        assert_eq!(unit, "");
        assert_eq!(data.header.len(), 3);
    }
}
