//! One colour per cell for a whole page: assigned once from the cell
//! list, so a cell keeps its colour in every chart of `report.html` (a
//! colour per chart series would paint `semaphore` red in one chart and
//! blue in the next).

use std::collections::BTreeMap;

/// Series colours, distinguishable in print and for most colour blindness.
const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#7f7f7f", "#bcbd22",
];

/// The colour of each cell of a page, by label.
#[derive(Clone, Debug, Default)]
pub struct CellColors {
    by_label: BTreeMap<String, &'static str>,
}

impl CellColors {
    /// Colours for `labels`, in their order (the scenario's cell order).
    pub fn assign<'a>(labels: impl IntoIterator<Item = &'a str>) -> Self {
        let mut by_label = BTreeMap::new();
        for label in labels {
            let next = PALETTE[by_label.len() % PALETTE.len()];
            by_label.entry(label.to_owned()).or_insert(next);
        }
        Self { by_label }
    }

    /// The colour of the cell `label` (grey for a label not assigned).
    pub fn of(&self, label: &str) -> &'static str {
        self.by_label.get(label).copied().unwrap_or("#555555")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_keeps_its_colour_and_cells_differ() {
        let colors = CellColors::assign(["serial", "semaphore", "fixed workers=10"]);
        assert_eq!(colors.of("semaphore"), colors.of("semaphore"));
        assert_ne!(colors.of("serial"), colors.of("semaphore"));
        assert_ne!(colors.of("semaphore"), colors.of("fixed workers=10"));
    }
}
