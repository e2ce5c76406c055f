//! Inline SVG charts, drawn here so that `report.html` needs no script,
//! no network and no plotting library: line charts with linear or
//! logarithmic axes, and horizontal bar charts (stacked: what succeeded
//! solid, what failed hatched). Colours come from the caller (one per
//! cell for a whole page, [`super::palette`]); every element drawn in a
//! cell's colour carries `data-cell="label"`. Legends are the page's
//! (HTML that wraps on a narrow screen), not the SVG's.

use std::fmt::Write as _;

// A narrow canvas scaled to the page's width (`width="100%"`): at a
// phone's 390 px it shrinks by 0.7, not by 0.45 as 820 units would, so
// its text stays readable.
const WIDTH: f64 = 520.0;
const HEIGHT: f64 = 320.0;
const LEFT: f64 = 62.0;
const RIGHT: f64 = 30.0;
const TOP: f64 = 34.0;
const BOTTOM: f64 = 44.0;

/// Escapes text for HTML and SVG.
pub fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A named line of points.
#[derive(Clone, Debug)]
pub struct Series {
    /// Legend text.
    pub name: String,
    /// The line's colour.
    pub color: &'static str,
    /// The cell the whole line is (a percentile curve), if one.
    pub cell: Option<String>,
    /// `(x, y)` points, in x order.
    pub points: Vec<(f64, f64)>,
    /// The cell and colour of each point, when points are cells (a
    /// sweep: each point marked in its own cell's colour); else empty.
    pub point_cells: Vec<(String, &'static str)>,
}

/// One bar: `solid` (what succeeded) then `hatched` (what failed) on top.
#[derive(Clone, Debug)]
pub struct Bar {
    /// The cell's label, written above the bar.
    pub label: String,
    /// The cell's colour.
    pub color: &'static str,
    /// The solid part.
    pub solid: f64,
    /// The hatched part after it (0: none).
    pub hatched: f64,
    /// The value written at the end of the label line.
    pub text: String,
}

/// An axis: its label, scale and optional fixed ticks.
#[derive(Clone, Debug, Default)]
pub struct Axis {
    /// The axis title.
    pub label: String,
    /// Logarithmic (base 10) scale.
    pub log: bool,
    /// Fixed ticks `(value, text)`; computed when `None`.
    pub ticks: Option<Vec<(f64, String)>>,
}

struct Scale {
    log: bool,
    low: f64,
    high: f64,
    from: f64,
    to: f64,
}

impl Scale {
    fn new(axis: &Axis, values: impl Iterator<Item = f64>, from: f64, to: f64) -> Self {
        let t = |v: f64| if axis.log { v.max(1e-9).log10() } else { v };
        let (mut low, mut high) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(t(v)), hi.max(t(v)))
        });
        if let Some(ticks) = &axis.ticks {
            for (v, _) in ticks {
                low = low.min(t(*v));
                high = high.max(t(*v));
            }
        }
        if !low.is_finite() {
            (low, high) = (0.0, 1.0);
        }
        if axis.log {
            (low, high) = (low.floor(), high.ceil().max(low.floor() + 1.0));
        } else {
            low = low.min(0.0);
            if high <= low {
                high = low + 1.0;
            }
            high = low + nice_step(high - low) * 5.0;
        }
        Self {
            log: axis.log,
            low,
            high,
            from,
            to,
        }
    }

    fn at(&self, value: f64) -> f64 {
        let v = if self.log {
            value.max(1e-9).log10()
        } else {
            value
        };
        self.from + (v - self.low) / (self.high - self.low) * (self.to - self.from)
    }

    fn ticks(&self) -> Vec<(f64, String)> {
        if self.log {
            (self.low as i32..=self.high as i32)
                .map(|e| (10f64.powi(e), number(10f64.powi(e))))
                .collect()
        } else {
            (0..=5)
                .map(|i| {
                    let v = self.low + nice_step(self.high - self.low) * f64::from(i);
                    (v, number(v))
                })
                .collect()
        }
    }
}

/// A round tick step (1, 2 or 5 × a power of ten) that covers `range`
/// in five steps.
fn nice_step(range: f64) -> f64 {
    let raw = range / 5.0;
    let power = 10f64.powf(raw.log10().floor());
    [1.0, 2.0, 2.5, 5.0, 10.0]
        .into_iter()
        .map(|m| m * power)
        .find(|step| *step >= raw * 0.999_999)
        .unwrap_or(10.0 * power)
}

/// A number for an axis: short, without needless decimals.
pub fn number(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".into()
    } else if a >= 1e6 {
        format!("{:.1}M", v / 1e6)
    } else if a >= 1e4 {
        format!("{:.0}k", v / 1e3)
    } else if a >= 10.0 {
        format!("{v:.0}")
    } else if a >= 0.1 {
        format!("{v:.2}")
            .trim_end_matches('0')
            .trim_end_matches('.')
            .to_owned()
    } else {
        format!("{v:.0e}")
    }
}

fn frame(out: &mut String, title: &str, height: f64) {
    let _ = write!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="100%" font-family="sans-serif" font-size="13" role="img"><title>{title}</title><rect width="100%" height="100%" fill="white"/><text x="8" y="20" font-size="15" font-weight="bold">{title}</text>"#,
        title = escape(title)
    );
}

/// ` data-cell="label"`, or nothing.
fn cell_attr(cell: Option<&str>) -> String {
    cell.map_or_else(String::new, |c| format!(r#" data-cell="{}""#, escape(c)))
}

/// An id for SVG definitions, unique per chart title on a page.
fn slug(title: &str) -> String {
    title
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
        .collect()
}

/// A line chart of `series`.
pub fn line_chart(title: &str, series: &[Series], x: &Axis, y: &Axis) -> String {
    let points = || series.iter().flat_map(|s| s.points.iter());
    let sx = Scale::new(x, points().map(|p| p.0), LEFT, WIDTH - RIGHT);
    let sy = Scale::new(y, points().map(|p| p.1), HEIGHT - BOTTOM, TOP);
    let mut out = String::new();
    frame(&mut out, title, HEIGHT);
    for (value, text) in x.ticks.clone().unwrap_or_else(|| sx.ticks()) {
        let px = sx.at(value);
        let _ = write!(
            out,
            r##"<line x1="{px:.1}" y1="{TOP}" x2="{px:.1}" y2="{:.1}" stroke="#e5e5e5"/><text x="{px:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            HEIGHT - BOTTOM,
            HEIGHT - BOTTOM + 16.0,
            escape(&text)
        );
    }
    for (value, text) in y.ticks.clone().unwrap_or_else(|| sy.ticks()) {
        let py = sy.at(value);
        let _ = write!(
            out,
            r##"<line x1="{LEFT}" y1="{py:.1}" x2="{:.1}" y2="{py:.1}" stroke="#e5e5e5"/><text x="{:.1}" y="{:.1}" text-anchor="end">{}</text>"##,
            WIDTH - RIGHT,
            LEFT - 6.0,
            py + 4.0,
            escape(&text)
        );
    }
    let _ = write!(
        out,
        r##"<rect x="{LEFT}" y="{TOP}" width="{:.1}" height="{:.1}" fill="none" stroke="#999"/><text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text><text transform="translate(16 {:.1}) rotate(-90)" text-anchor="middle">{}</text>"##,
        WIDTH - RIGHT - LEFT,
        HEIGHT - BOTTOM - TOP,
        (LEFT + WIDTH - RIGHT) / 2.0,
        HEIGHT - 8.0,
        escape(&x.label),
        (TOP + HEIGHT - BOTTOM) / 2.0,
        escape(&y.label)
    );
    for s in series {
        let path: Vec<String> = s
            .points
            .iter()
            .map(|(px, py)| format!("{:.1},{:.1}", sx.at(*px), sy.at(*py)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline fill="none" stroke="{}" stroke-width="2" points="{}"{}/>"#,
            s.color,
            path.join(" "),
            cell_attr(s.cell.as_deref())
        );
        if s.points.len() <= 12 || !s.point_cells.is_empty() {
            for (i, (px, py)) in s.points.iter().enumerate() {
                let (cell, fill) = match s.point_cells.get(i) {
                    Some((cell, color)) => (Some(cell.as_str()), *color),
                    None => (s.cell.as_deref(), s.color),
                };
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="4" fill="{fill}" stroke="white"{}/>"#,
                    sx.at(*px),
                    sy.at(*py),
                    cell_attr(cell)
                );
            }
        }
    }
    out.push_str("</svg>");
    out
}

/// A horizontal bar chart: one bar per cell, its label and value on the
/// line above it (so long labels need no margin), a value axis below
/// titled `axis` (with its unit). A bar's `hatched` part is drawn after
/// its `solid` part, lighter and striped.
pub fn bar_chart(title: &str, bars: &[Bar], axis: &str) -> String {
    let row = 36.0;
    let (left, right) = (8.0, WIDTH - 24.0);
    let height = TOP + row * bars.len() as f64 + 44.0;
    let high = bars
        .iter()
        .map(|b| b.solid + b.hatched)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let scale = Scale::new(&Axis::default(), [0.0, high].into_iter(), left, right);
    let hatch = format!("hatch-{}", slug(title));
    let mut out = String::new();
    frame(&mut out, title, height);
    let _ = write!(
        out,
        r##"<defs><pattern id="{hatch}" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)"><rect width="2.5" height="6" fill="#000" fill-opacity="0.45"/></pattern></defs>"##
    );
    let bottom = TOP + row * bars.len() as f64;
    for (value, text) in scale.ticks() {
        let x = scale.at(value);
        let _ = write!(
            out,
            r##"<line x1="{x:.1}" y1="{TOP}" x2="{x:.1}" y2="{bottom:.1}" stroke="#e5e5e5"/><text x="{x:.1}" y="{:.1}" text-anchor="middle">{}</text>"##,
            bottom + 16.0,
            escape(&text)
        );
    }
    for (i, bar) in bars.iter().enumerate() {
        let y = TOP + row * i as f64;
        let cell = cell_attr(Some(&bar.label));
        let solid = (scale.at(bar.solid) - left).max(if bar.solid > 0.0 { 1.0 } else { 0.0 });
        let hatched = scale.at(bar.solid + bar.hatched) - left - solid;
        let _ = write!(
            out,
            r#"<text x="{left}" y="{:.1}">{}</text><text x="{right}" y="{:.1}" text-anchor="end">{}</text><rect x="{left}" y="{:.1}" width="{solid:.1}" height="14" fill="{}"{cell}/>"#,
            y + 13.0,
            escape(&bar.label),
            y + 13.0,
            escape(&bar.text),
            y + 17.0,
            bar.color,
        );
        if hatched > 0.5 {
            let _ = write!(
                out,
                r#"<rect x="{:.1}" y="{:.1}" width="{hatched:.1}" height="14" fill="{}" fill-opacity="0.35"{cell}/><rect x="{:.1}" y="{:.1}" width="{hatched:.1}" height="14" fill="url(#{hatch})" data-part="failed"/>"#,
                left + solid,
                y + 17.0,
                bar.color,
                left + solid,
                y + 17.0,
            );
        }
    }
    let _ = write!(
        out,
        r#"<text x="{:.1}" y="{:.1}" text-anchor="middle">{}</text></svg>"#,
        (left + right) / 2.0,
        height - 8.0,
        escape(axis)
    );
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_single_svg_elements_with_escaped_text() {
        let series = vec![Series {
            name: "a<b".into(),
            color: "#000000",
            cell: Some("a<b".into()),
            points: vec![(1.0, 2.0), (10.0, 30.0)],
            point_cells: Vec::new(),
        }];
        let chart = line_chart(
            "t",
            &series,
            &Axis {
                log: true,
                ..Axis::default()
            },
            &Axis::default(),
        );
        assert!(chart.starts_with("<svg") && chart.ends_with("</svg>"));
        assert!(chart.contains("a&lt;b"));
        let bar = Bar {
            label: "x".into(),
            color: "#000000",
            solid: 3.0,
            hatched: 1.0,
            text: "3 ms".into(),
        };
        let bars = bar_chart("b", &[bar], "ms");
        assert_eq!(bars.matches("<svg").count(), 1);
        assert!(bars.contains(r#"data-part="failed""#));
    }
}
