//! The rasteriser behind TI's drawing API: the shapes as rows of pixels ("spans"), given to a
//! [`Plot`] that clips, blends and stores them. Integer coordinates are pixels; a shape given
//! by a box (x, y, w, h) covers the w by h pixels from (x, y), its outline included.
//!
//! - Lines are Bresenham's, both ends drawn; a pen wider than a pixel draws a square of its
//!   size centred on each point, and a dotted or dashed pen leaves out some of the points.
//! - Ellipses cover the pixels whose centres lie inside the ellipse inscribed in the box; the
//!   outline is those of them with a neighbour (left, right, above, below) outside. An arc or
//!   a pie keeps the pixels whose direction from the centre, measured in the box scaled to a
//!   square, lies between the start and end angles, anticlockwise from 3 o'clock, in tenths
//!   of a degree (TI's unit).
//! - Polygons fill by the even-odd rule, a pixel when its centre is inside.
//!
//! Shapes are cut to the plot's bounds before they are walked, so a shape far off the surface
//! (any coordinates a program passes) costs no more than one on it.

/// Where spans go.
pub trait Plot {
    /// The pixels that can be drawn: x0, y0, x1, y1 (the last two excluded).
    fn bounds(&self) -> (i32, i32, i32, i32);
    /// Paints pixels `x0..=x1` of row `y` in `colour` (0xRRGGBB).
    fn span(&mut self, y: i32, x0: i32, x1: i32, colour: u32);
}

/// How a pen draws lines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Dash {
    Solid,
    /// One pen width on, one off.
    Dotted,
    /// Three pen widths on, two off.
    Dashed,
}

/// A pen: its width in pixels and its dashes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Pen {
    pub size: i32,
    pub dash: Dash,
}

impl Pen {
    /// Whether point `step` of a line is drawn.
    fn draws(&self, step: i64) -> bool {
        let unit = step / i64::from(self.size.max(1));
        match self.dash {
            Dash::Solid => true,
            Dash::Dotted => unit % 2 == 0,
            Dash::Dashed => unit % 5 < 3,
        }
    }

    /// A square of the pen's size centred on (x, y).
    fn dot(&self, plot: &mut dyn Plot, x: i32, y: i32, colour: u32) {
        let size = self.size.max(1);
        let (x0, y0) = (x - (size - 1) / 2, y - (size - 1) / 2);
        for row in y0..y0 + size {
            plot.span(row, x0, x0 + size - 1, colour);
        }
    }
}

/// Fills the w by h pixels from (x, y).
pub fn fill_rect(plot: &mut dyn Plot, x: i32, y: i32, w: i32, h: i32, colour: u32) {
    let (bx0, by0, bx1, by1) = plot.bounds();
    let (x0, x1) = (x.max(bx0), x.saturating_add(w).min(bx1));
    let (y0, y1) = (y.max(by0), y.saturating_add(h).min(by1));
    if x0 < x1 {
        for row in y0..y1 {
            plot.span(row, x0, x1 - 1, colour);
        }
    }
}

/// Fills the box with colours from `from` to `to` (0xRRGGBB), changing down the rows when
/// `down`, else across the columns; the first row (column) is `from`, the last `to`.
pub fn gradient(
    plot: &mut dyn Plot,
    (x, y, w, h): (i32, i32, i32, i32),
    from: u32,
    to: u32,
    down: bool,
) {
    let steps = if down { h } else { w };
    let colour = |i: i32| -> u32 {
        let mix = |shift: u32| {
            let (a, b) = (
                i64::from(from >> shift & 0xFF),
                i64::from(to >> shift & 0xFF),
            );
            let n = i64::from(steps - 1).max(1);
            ((a + (b - a) * i64::from(i) / n) as u32) << shift
        };
        mix(16) | mix(8) | mix(0)
    };
    // Only the rows (columns) that can be seen are walked.
    let (bx0, by0, bx1, by1) = plot.bounds();
    let (first, past, start) = if down { (by0, by1, y) } else { (bx0, bx1, x) };
    let visible = (first.saturating_sub(start)).max(0)..steps.min(past.saturating_sub(start));
    for i in visible {
        match down {
            true => fill_rect(plot, x, y + i, w, 1, colour(i)),
            false => fill_rect(plot, x + i, y, 1, h, colour(i)),
        }
    }
}

/// A line from (x0, y0) to (x1, y1), both drawn.
pub fn line(plot: &mut dyn Plot, from: (i32, i32), to: (i32, i32), pen: Pen, colour: u32) {
    let Some(((mut x, mut y), (x1, y1))) = cut_line(plot.bounds(), pen.size, from, to) else {
        return;
    };
    let (dx, sx) = ((x1 - x).abs(), (x1 - x).signum());
    let (dy, sy) = (-(y1 - y).abs(), (y1 - y).signum());
    let mut err = dx + dy;
    let mut step = 0;
    loop {
        if pen.draws(step) {
            pen.dot(plot, x, y, colour);
        }
        if (x, y) == (x1, y1) {
            break;
        }
        let e2 = 2 * err;
        if e2 >= dy {
            err += dy;
            x += sx;
        }
        if e2 <= dx {
            err += dx;
            y += sy;
        }
        step += 1;
    }
}

/// The part of a line that can reach the bounds (widened by the pen), its ends rounded to
/// pixels; `None` when none can. A line already inside comes back as it is.
fn cut_line(
    (bx0, by0, bx1, by1): (i32, i32, i32, i32),
    pen: i32,
    from: (i32, i32),
    to: (i32, i32),
) -> Option<((i32, i32), (i32, i32))> {
    let margin = f64::from(pen.max(1));
    let (lo_x, hi_x) = (f64::from(bx0) - margin, f64::from(bx1) + margin);
    let (lo_y, hi_y) = (f64::from(by0) - margin, f64::from(by1) + margin);
    let (fx, fy) = (f64::from(from.0), f64::from(from.1));
    let (dx, dy) = (f64::from(to.0) - fx, f64::from(to.1) - fy);
    let inside = |x: f64, y: f64| (lo_x..=hi_x).contains(&x) && (lo_y..=hi_y).contains(&y);
    if inside(fx, fy) && inside(fx + dx, fy + dy) {
        return Some((from, to));
    }
    // Liang-Barsky: the range of t in [0, 1] where the point lies inside.
    let (mut t0, mut t1) = (0.0f64, 1.0f64);
    for (p, q) in [
        (-dx, fx - lo_x),
        (dx, hi_x - fx),
        (-dy, fy - lo_y),
        (dy, hi_y - fy),
    ] {
        if p == 0.0 {
            if q < 0.0 {
                return None;
            }
        } else {
            let t = q / p;
            if p < 0.0 {
                t0 = t0.max(t);
            } else {
                t1 = t1.min(t);
            }
        }
    }
    if t0 > t1 {
        return None;
    }
    let at = |t: f64| ((fx + t * dx).round() as i32, (fy + t * dy).round() as i32);
    Some((at(t0), at(t1)))
}

/// The outline of the w by h box: its four edges.
pub fn rect(plot: &mut dyn Plot, (x, y, w, h): (i32, i32, i32, i32), pen: Pen, colour: u32) {
    if w <= 0 || h <= 0 {
        return;
    }
    let (x1, y1) = (x.saturating_add(w - 1), y.saturating_add(h - 1));
    polyline(
        plot,
        &[(x, y), (x1, y), (x1, y1), (x, y1), (x, y)],
        pen,
        colour,
    );
}

/// Lines through `points` in turn.
pub fn polyline(plot: &mut dyn Plot, points: &[(i32, i32)], pen: Pen, colour: u32) {
    for pair in points.windows(2) {
        line(plot, pair[0], pair[1], pen, colour);
    }
}

/// The polygon through `points` (closed), filled by the even-odd rule.
pub fn fill_polygon(plot: &mut dyn Plot, points: &[(i32, i32)], colour: u32) {
    if points.len() < 3 {
        return;
    }
    let (bx0, by0, bx1, by1) = plot.bounds();
    let top = points.iter().map(|p| p.1).min().unwrap_or(0).max(by0);
    let bottom = points.iter().map(|p| p.1).max().unwrap_or(0).min(by1 - 1);
    let mut crossings = Vec::new();
    for row in top..=bottom {
        let yc = f64::from(row) + 0.5;
        crossings.clear();
        for (i, &(ax, ay)) in points.iter().enumerate() {
            let (bx, by) = points[(i + 1) % points.len()];
            let (ya, yb) = (f64::from(ay), f64::from(by));
            if (ya <= yc) != (yb <= yc) {
                let (xa, xb) = (f64::from(ax), f64::from(bx));
                crossings.push(xa + (yc - ya) * (xb - xa) / (yb - ya));
            }
        }
        crossings.sort_by(f64::total_cmp);
        for pair in crossings.chunks_exact(2) {
            // Pixels whose centre x + 0.5 lies in [pair[0], pair[1]).
            let x0 = (pair[0] - 0.5).ceil().max(f64::from(bx0)) as i32;
            let x1 = ((pair[1] - 0.5).ceil() - 1.0).min(f64::from(bx1 - 1)) as i32;
            if x0 <= x1 {
                plot.span(row, x0, x1, colour);
            }
        }
    }
}

/// An ellipse in the box: a pie (`fill`) or an arc drawn with `pen`, from angle `start` to
/// `end` (tenths of a degree; a sweep of 3600 or more is the whole ellipse).
pub fn ellipse(
    plot: &mut dyn Plot,
    (x, y, w, h): (i32, i32, i32, i32),
    (start, end): (i32, i32),
    fill: bool,
    pen: Pen,
    colour: u32,
) {
    if w <= 0 || h <= 0 {
        return;
    }
    let shape = Ellipse { x, y, w, h };
    let sweep = i64::from(end) - i64::from(start);
    let arc = (sweep.abs() < 3600).then(|| {
        let (from, to) = if sweep < 0 {
            (end, start)
        } else {
            (start, end)
        };
        (
            from.rem_euclid(3600),
            (i64::from(to) - i64::from(from)) as i32,
        )
    });
    let in_arc = |px: i32, py: i32| match arc {
        None => true,
        Some((from, sweep)) => (shape.angle(px, py) - from).rem_euclid(3600) <= sweep,
    };
    let (bx0, by0, bx1, by1) = plot.bounds();
    let reach = if fill { 0 } else { pen.size };
    let rows = y.max(by0 - reach)..y.saturating_add(h).min(by1 + reach);
    let cols = x.max(bx0 - reach)..x.saturating_add(w).min(bx1 + reach);
    for py in rows {
        if fill {
            // Runs of pixels inside, in the arc.
            let mut run: Option<i32> = None;
            for px in cols.clone().chain([cols.end]) {
                let on = px < cols.end && shape.contains(px, py) && in_arc(px, py);
                match (on, run) {
                    (true, None) => run = Some(px),
                    (false, Some(x0)) => {
                        plot.span(py, x0, px - 1, colour);
                        run = None;
                    }
                    _ => {}
                }
            }
        } else {
            for px in cols.clone() {
                if shape.on_edge(px, py) && in_arc(px, py) {
                    pen.dot(plot, px, py, colour);
                }
            }
        }
    }
}

/// The ellipse inscribed in a box, in integers: twice a pixel centre's offset from the
/// ellipse's centre, scaled by the other axis, gives a test without rounding.
struct Ellipse {
    x: i32,
    y: i32,
    w: i32,
    h: i32,
}

impl Ellipse {
    /// Twice the offsets of pixel (px, py)'s centre from the centre.
    fn offsets(&self, px: i32, py: i32) -> (i128, i128) {
        let dx = 2 * i128::from(px) + 1 - 2 * i128::from(self.x) - i128::from(self.w);
        let dy = 2 * i128::from(py) + 1 - 2 * i128::from(self.y) - i128::from(self.h);
        (dx, dy)
    }

    fn contains(&self, px: i32, py: i32) -> bool {
        let (dx, dy) = self.offsets(px, py);
        let (w, h) = (i128::from(self.w), i128::from(self.h));
        dx * dx * h * h + dy * dy * w * w <= w * w * h * h
    }

    fn on_edge(&self, px: i32, py: i32) -> bool {
        self.contains(px, py)
            && [(-1, 0), (1, 0), (0, -1), (0, 1)]
                .iter()
                .any(|&(ox, oy)| !self.contains(px + ox, py + oy))
    }

    /// The direction of pixel (px, py) from the centre, in tenths of a degree from 0 (3
    /// o'clock) to 3599, anticlockwise, in the box scaled to a square.
    fn angle(&self, px: i32, py: i32) -> i32 {
        let (dx, dy) = self.offsets(px, py);
        let (u, v) = (
            dx as f64 / f64::from(self.w),
            -dy as f64 / f64::from(self.h),
        );
        let degrees = v.atan2(u).to_degrees() * 10.0;
        (degrees.round() as i32).rem_euclid(3600)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A 40 by 30 surface of colours, 0 where nothing was drawn.
    struct Pixels {
        width: i32,
        pixels: Vec<u32>,
        spans: usize,
    }

    impl Pixels {
        fn new() -> Pixels {
            Pixels {
                width: 40,
                pixels: vec![0; 40 * 30],
                spans: 0,
            }
        }

        fn at(&self, x: i32, y: i32) -> u32 {
            self.pixels[(y * self.width + x) as usize]
        }

        /// The drawn pixels, row by row.
        fn drawn(&self) -> Vec<(i32, i32)> {
            (0..self.pixels.len() as i32)
                .filter(|&i| self.pixels[i as usize] != 0)
                .map(|i| (i % self.width, i / self.width))
                .collect()
        }

        /// The drawn pixels of row y: the first and last x.
        fn row_extent(&self, y: i32) -> Option<(i32, i32)> {
            let xs: Vec<i32> = (0..self.width).filter(|&x| self.at(x, y) != 0).collect();
            Some((*xs.first()?, *xs.last()?))
        }
    }

    impl Plot for Pixels {
        fn bounds(&self) -> (i32, i32, i32, i32) {
            (0, 0, self.width, 30)
        }

        fn span(&mut self, y: i32, x0: i32, x1: i32, colour: u32) {
            self.spans += 1;
            for x in x0.max(0)..=x1.min(self.width - 1) {
                if (0..30).contains(&y) {
                    self.pixels[(y * self.width + x) as usize] = colour;
                }
            }
        }
    }

    const THIN: Pen = Pen {
        size: 1,
        dash: Dash::Solid,
    };

    /// Bresenham's points of (0,0)-(5,2), worked by hand: the error term starts at
    /// dx + dy = 5 - 2 = 3 and y steps where it goes below zero.
    #[test]
    fn a_line_is_bresenhams_with_both_ends() {
        let mut p = Pixels::new();
        line(&mut p, (0, 0), (5, 2), THIN, 1);
        assert_eq!(p.drawn(), [(0, 0), (1, 0), (2, 1), (3, 1), (4, 2), (5, 2)]);
        // Backwards, steep: the same cells as a vertical run of a column each.
        let mut p = Pixels::new();
        line(&mut p, (3, 4), (3, 1), THIN, 1);
        assert_eq!(p.drawn(), [(3, 1), (3, 2), (3, 3), (3, 4)]);
    }

    #[test]
    fn pens_are_wide_dotted_or_dashed() {
        let mut p = Pixels::new();
        let medium = Pen {
            size: 2,
            dash: Dash::Solid,
        };
        line(&mut p, (5, 5), (7, 5), medium, 1);
        // A 2-pixel square from (x, y) to (x + 1, y + 1) at each point.
        assert_eq!(p.row_extent(5), Some((5, 8)));
        assert_eq!(p.row_extent(6), Some((5, 8)));
        assert_eq!(p.row_extent(4), None);

        let mut p = Pixels::new();
        let dotted = Pen {
            size: 1,
            dash: Dash::Dotted,
        };
        line(&mut p, (0, 0), (6, 0), dotted, 1);
        assert_eq!(p.drawn(), [(0, 0), (2, 0), (4, 0), (6, 0)]);

        let mut p = Pixels::new();
        let dashed = Pen {
            size: 1,
            dash: Dash::Dashed,
        };
        line(&mut p, (0, 0), (9, 0), dashed, 1);
        let xs: Vec<i32> = p.drawn().iter().map(|d| d.0).collect();
        assert_eq!(xs, [0, 1, 2, 5, 6, 7]);
    }

    /// A line from far off the surface costs the part that can reach it, and draws the same
    /// pixels as the part on it would.
    #[test]
    fn a_line_far_off_is_cut_to_the_bounds() {
        let mut p = Pixels::new();
        line(&mut p, (-2_000_000_000, 10), (2_000_000_000, 10), THIN, 1);
        assert_eq!(p.row_extent(10), Some((0, 39)));
        assert!(p.spans < 60, "{} spans", p.spans);
        let mut p = Pixels::new();
        line(&mut p, (i32::MIN, i32::MIN), (i32::MIN, i32::MAX), THIN, 1);
        assert!(p.drawn().is_empty() && p.spans == 0);
    }

    #[test]
    fn rectangles_cover_w_by_h_pixels() {
        let mut p = Pixels::new();
        fill_rect(&mut p, 2, 3, 4, 2, 1);
        assert_eq!(
            p.drawn(),
            [
                (2, 3),
                (3, 3),
                (4, 3),
                (5, 3),
                (2, 4),
                (3, 4),
                (4, 4),
                (5, 4)
            ]
        );
        let mut p = Pixels::new();
        rect(&mut p, (10, 10, 5, 4), THIN, 1);
        assert_eq!(p.row_extent(10), Some((10, 14)));
        assert_eq!(p.row_extent(13), Some((10, 14)));
        assert_eq!(p.drawn().len(), 5 + 5 + 2 + 2);
        assert_eq!(p.at(12, 11), 0, "hollow");
        // Clipped at the surface's edges; nothing for an empty box.
        let mut p = Pixels::new();
        fill_rect(&mut p, -5, 28, 10, 10, 1);
        assert_eq!(p.drawn().len(), 5 * 2);
        fill_rect(&mut p, 20, 20, 0, 5, 2);
        fill_rect(&mut p, i32::MAX, i32::MAX, i32::MAX, i32::MAX, 2);
        assert_eq!(p.drawn().len(), 5 * 2);
    }

    /// The ellipse in the box (10, 5, 21, 11) has its centre on pixel (20, 10). With twice
    /// the offsets (dx, dy) of a pixel's centre, a pixel is in when dx²·11² + dy²·21² <=
    /// 21²·11² = 53361. On the centre's row: x = 10 (dx = -20) gives 48400, in; x = 9 (dx =
    /// -22) 58564, out; so x runs from 10 to 30. The top row, y = 5 (dy = -10), spends 44100,
    /// leaving dx²·121 <= 9261: |dx| <= 8, x from 16 to 24; y = 4 (dy = -12) spends 63504, out.
    #[test]
    fn an_ellipse_fills_its_box_to_the_extremes() {
        let mut p = Pixels::new();
        ellipse(&mut p, (10, 5, 21, 11), (0, 3600), true, THIN, 1);
        assert_eq!(p.row_extent(10), Some((10, 30)));
        assert_eq!(p.row_extent(5), Some((16, 24)));
        assert_eq!(p.row_extent(15), Some((16, 24)));
        assert_eq!(p.row_extent(4), None);
        assert_eq!(p.row_extent(16), None);
        // The outline: the extremes, and not the centre.
        let mut outline = Pixels::new();
        ellipse(&mut outline, (10, 5, 21, 11), (0, 3600), false, THIN, 1);
        for (x, y) in [(10, 10), (30, 10), (20, 5), (20, 15)] {
            assert_ne!(outline.at(x, y), 0, "({x}, {y})");
        }
        assert_eq!(outline.at(20, 10), 0);
        assert!(outline.drawn().iter().all(|&(x, y)| p.at(x, y) != 0));
    }

    /// A quarter pie from 0 to 90 degrees is the upper right quarter: the centre's row and
    /// column to its right and above (angles 0 and 90), nothing left of or below them. (The
    /// centre pixel itself has direction 0.) In the 21 by 21 box the top row (dy = -20) keeps
    /// dx² <= 441 - 400: |dx| <= 6, three pixels each side of the centre's column.
    #[test]
    fn a_pie_keeps_its_angles() {
        let mut p = Pixels::new();
        ellipse(&mut p, (10, 5, 21, 21), (0, 900), true, THIN, 1);
        assert_eq!(p.row_extent(15), Some((20, 30)));
        assert_eq!(p.row_extent(5), Some((20, 23)));
        assert_eq!(p.row_extent(16), None);
        // From 90 to 180 degrees as a negative sweep (180 to 90) is the upper left quarter.
        let mut q = Pixels::new();
        ellipse(&mut q, (10, 5, 21, 21), (1800, 900), true, THIN, 1);
        assert_eq!(q.row_extent(15), Some((10, 19)));
        assert_ne!(q.at(20, 14), 0);
        assert_eq!(q.row_extent(16), None);
    }

    /// The triangle (0,0) (10,0) (0,10): row y's centre line y + 0.5 meets the hypotenuse at
    /// x = 9.5 - y, so its pixels are 0 to 8 - y (centres below the crossing).
    #[test]
    fn a_polygon_fills_pixels_whose_centres_are_inside() {
        let mut p = Pixels::new();
        fill_polygon(&mut p, &[(0, 0), (10, 0), (0, 10)], 1);
        for y in 0..9 {
            assert_eq!(p.row_extent(y), Some((0, 8 - y)), "row {y}");
        }
        assert_eq!(p.row_extent(9), None);
        // Even-odd: a square with a square hole.
        let mut p = Pixels::new();
        fill_polygon(
            &mut p,
            &[
                (0, 0),
                (10, 0),
                (10, 10),
                (0, 10),
                (0, 0),
                (3, 3),
                (3, 7),
                (7, 7),
                (7, 3),
                (3, 3),
            ],
            1,
        );
        assert_ne!(p.at(1, 5), 0);
        assert_eq!(p.at(5, 5), 0);
    }

    #[test]
    fn a_gradient_goes_from_one_colour_to_the_other() {
        // Far larger than the surface: only what can be seen is walked.
        let mut p = Pixels::new();
        gradient(
            &mut p,
            (-5, i32::MIN, i32::MAX, i32::MAX),
            0,
            0xFFFFFF,
            true,
        );
        gradient(
            &mut p,
            (i32::MIN, -5, i32::MAX, i32::MAX),
            0,
            0xFFFFFF,
            false,
        );
        assert!(p.spans <= 30 + 40 * 30, "{} spans", p.spans);
        let mut p = Pixels::new();
        gradient(&mut p, (0, 0, 5, 3), 0x000010, 0x000050, false);
        let row: Vec<u32> = (0..5).map(|x| p.at(x, 1)).collect();
        assert_eq!(row, [0x10, 0x20, 0x30, 0x40, 0x50]);
        let mut p = Pixels::new();
        gradient(&mut p, (0, 0, 2, 3), 0xFF0000, 0x0000FF, true);
        // The middle row: red 255 + (0 - 255) * 1 / 2 = 255 - 127, blue 0 + 255 / 2 = 127.
        assert_eq!(
            [p.at(1, 0), p.at(1, 1), p.at(1, 2)],
            [0xFF0000, 0x80007F, 0x0000FF]
        );
    }
}
