//! Inline SVG charts, drawn here so that `report.html` needs no script,
//! no network and no plotting library: line charts with linear or
//! logarithmic axes, and horizontal bar charts.

use std::fmt::Write as _;

const WIDTH: f64 = 820.0;
const HEIGHT: f64 = 360.0;
const LEFT: f64 = 70.0;
const RIGHT: f64 = 230.0;
const TOP: f64 = 36.0;
const BOTTOM: f64 = 48.0;

/// Series colours, distinguishable in print and for most colour blindness.
const PALETTE: [&str; 10] = [
    "#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf",
    "#7f7f7f", "#bcbd22",
];

/// The colour of series `index`.
pub fn color(index: usize) -> &'static str {
    PALETTE[index % PALETTE.len()]
}

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
    /// `(x, y)` points, in x order.
    pub points: Vec<(f64, f64)>,
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
        r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" font-family="sans-serif" font-size="12"><rect width="100%" height="100%" fill="white"/><text x="{LEFT}" y="20" font-size="14" font-weight="bold">{}</text>"#,
        escape(title)
    );
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
    for (i, s) in series.iter().enumerate() {
        let path: Vec<String> = s
            .points
            .iter()
            .map(|(px, py)| format!("{:.1},{:.1}", sx.at(*px), sy.at(*py)))
            .collect();
        let _ = write!(
            out,
            r#"<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>"#,
            color(i),
            path.join(" ")
        );
        if s.points.len() <= 12 {
            for (px, py) in &s.points {
                let _ = write!(
                    out,
                    r#"<circle cx="{:.1}" cy="{:.1}" r="3" fill="{}"/>"#,
                    sx.at(*px),
                    sy.at(*py),
                    color(i)
                );
            }
        }
        let ly = TOP + 8.0 + 18.0 * i as f64;
        let lx = WIDTH - RIGHT + 12.0;
        let _ = write!(
            out,
            r#"<rect x="{lx}" y="{:.1}" width="14" height="4" fill="{}"/><text x="{:.1}" y="{:.1}">{}</text>"#,
            ly - 4.0,
            color(i),
            lx + 20.0,
            ly + 1.0,
            escape(&s.name)
        );
    }
    out.push_str("</svg>");
    out
}

/// A horizontal bar chart: one bar per `(label, value)`.
pub fn bar_chart(title: &str, bars: &[(String, f64)], unit: &str) -> String {
    let row = 22.0;
    let label_width = 280.0;
    let height = TOP + row * bars.len() as f64 + 16.0;
    let max = bars
        .iter()
        .map(|b| b.1)
        .fold(0.0, f64::max)
        .max(f64::MIN_POSITIVE);
    let span = WIDTH - label_width - 120.0;
    let mut out = String::new();
    frame(&mut out, title, height);
    for (i, (label, value)) in bars.iter().enumerate() {
        let y = TOP + row * i as f64;
        let width = (value / max * span).max(1.0);
        let _ = write!(
            out,
            r#"<text x="{:.1}" y="{:.1}" text-anchor="end">{}</text><rect x="{label_width}" y="{:.1}" width="{width:.1}" height="{:.1}" fill="{}"/><text x="{:.1}" y="{:.1}">{} {}</text>"#,
            label_width - 8.0,
            y + 15.0,
            escape(label),
            y + 3.0,
            row - 6.0,
            color(i),
            label_width + width + 6.0,
            y + 15.0,
            number(*value),
            escape(unit)
        );
    }
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn charts_are_single_svg_elements_with_escaped_text() {
        let series = vec![Series {
            name: "a<b".into(),
            points: vec![(1.0, 2.0), (10.0, 30.0)],
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
        let bars = bar_chart("b", &[("x".into(), 3.0)], "ms");
        assert_eq!(bars.matches("<svg").count(), 1);
    }
}
