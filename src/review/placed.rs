//! Text placed on pages — glyphs of a layout ([`Glyph`]) or characters read from a PDF
//! ([`PageChar`]) — and the lookups `review` and change proofs make on it: the item nearest
//! to a point, and the proof's line number printed beside an item.

use super::annotations::Area;
use super::glyphs::Glyph;
use super::pdf_text::PageChar;

/// Something with a place on a page: a glyph of the layout, or a character read from a PDF.
pub trait Placed {
    /// 0-based page index.
    fn page(&self) -> usize;
    /// Its box on the page.
    fn area(&self) -> Area;
    /// Its baseline (y from the top of the page).
    fn baseline(&self) -> f64;
    /// The characters it shows.
    fn text(&self) -> &str;
}

/// Both kinds of placed text have the same four fields.
macro_rules! placed_fields {
    ($($kind:ty),*) => {$(
        impl Placed for $kind {
            fn page(&self) -> usize {
                self.page
            }
            fn area(&self) -> Area {
                self.area
            }
            fn baseline(&self) -> f64 {
                self.baseline
            }
            fn text(&self) -> &str {
                &self.text
            }
        }
    )*};
}
placed_fields!(Glyph, PageChar);

/// The item nearest to a point of the page (distance to its box; a line above or below
/// counts `vertical` times its distance, so a note in the margin finds the line beside it).
pub fn nearest_weighted<T: Placed>(items: &[T], page: usize, (x, y): (f64, f64), vertical: f64) -> Option<usize> {
    let distance = |a: Area| {
        let dx = (a.x0 - x).max(0.0).max(x - a.x1);
        let dy = (a.y0 - y).max(0.0).max(y - a.y1) * vertical;
        dx * dx + dy * dy
    };
    (0..items.len())
        .filter(|&i| items[i].page() == page && !items[i].text().trim().is_empty())
        .min_by(|&a, &b| distance(items[a].area()).total_cmp(&distance(items[b].area())))
}

/// The item nearest to a point of the page.
pub fn nearest<T: Placed>(items: &[T], page: usize, point: (f64, f64)) -> Option<usize> {
    nearest_weighted(items, page, point, 1.0)
}

/// The proof's line number printed beside `items[index]`: the small figures in the margin
/// on its line, on the side of its column (a proof numbers the lines of each page).
pub fn line_number<T: Placed>(items: &[T], index: usize) -> Option<usize> {
    let page = items.get(index)?.page();
    let target = &items[index];
    let size = target.area().y1 - target.area().y0;
    // Runs of figures on the page, with their box.
    let mut runs: Vec<(String, Area, f64)> = Vec::new();
    let mut previous: Option<usize> = None;
    for (i, item) in items.iter().enumerate().filter(|(_, it)| it.page() == page) {
        let is_digit = item.text().chars().all(|c| c.is_ascii_digit()) && !item.text().is_empty();
        let small = item.area().y1 - item.area().y0 < size * 0.8;
        if !(is_digit && small) {
            previous = None;
            continue;
        }
        let continues = previous.is_some_and(|p| p + 1 == i)
            && runs.last().is_some_and(|(_, a, b)| (b - item.baseline()).abs() < 0.5 && (item.area().x0 - a.x1).abs() < size * 0.3);
        if continues && let Some((text, area, _)) = runs.last_mut() {
            text.push_str(item.text());
            area.x1 = item.area().x1;
        } else {
            runs.push((item.text().to_string(), item.area(), item.baseline()));
        }
        previous = Some(i);
    }
    // A line number stands alone: nothing of the body text is beside it on its line.
    let body_left =
        items.iter().filter(|it| it.page() == page && (it.area().y1 - it.area().y0) >= size * 0.8).map(|it| it.area().x0).fold(f64::INFINITY, f64::min);
    let body_right =
        items.iter().filter(|it| it.page() == page && (it.area().y1 - it.area().y0) >= size * 0.8).map(|it| it.area().x1).fold(f64::NEG_INFINITY, f64::max);
    let (x, _) = target.area().centre();
    runs.into_iter()
        .filter(|(_, area, baseline)| (baseline - target.baseline()).abs() < size * 0.6 && (area.x1 <= body_left + 0.5 || area.x0 >= body_right - 0.5))
        .min_by(|a, b| (a.1.centre().0 - x).abs().total_cmp(&(b.1.centre().0 - x).abs()))
        .and_then(|(text, _, _)| text.parse().ok())
}
