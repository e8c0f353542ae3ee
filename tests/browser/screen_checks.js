/* Everything the screen matrix (test_kiosk_screens.py) checks on one visitor screen, in one pass inside the
   page: text that does not fit its box, elements cut off by their container, text too small to read from a
   step back, targets too small for a finger, and axe-core's accessibility rules. Returns the problems found,
   each a sentence naming the element, so that a failure says what to fix. */
async ({ minText, minTarget, axe }) => {
  const problems = [];
  const TOLERANCE = 1;   // CSS px of rounding

  const describe = (el) => {
    const className = typeof el.className === "string" ? el.className : (el.className.baseVal || "");
    const text = (el.getAttribute("aria-label") || el.textContent || "").trim().replace(/\s+/g, " ").slice(0, 40);
    return `<${el.tagName.toLowerCase()}${el.id ? "#" + el.id : ""}${className ? "." + className.trim().split(/\s+/).join(".") : ""}> "${text}"`;
  };
  // What a visitor can see: rendered, not under the screen on top (inert), not a screen-reader-only text.
  const shown = (el) => !el.closest("[inert], [hidden], template, .visually-hidden, .skip-link, title, desc")
    && el.checkVisibility({ visibilityProperty: true, opacityProperty: true });
  const ownText = (el) => Array.from(el.childNodes).some((node) => node.nodeType === Node.TEXT_NODE && node.textContent.trim());

  // The part of an element that shows its content: its padding box, where overflow is clipped.
  const paddingBox = (el) => {
    const box = el.getBoundingClientRect();
    const left = box.left + el.clientLeft;
    const top = box.top + el.clientTop;
    return { left, top, right: left + el.clientWidth, bottom: top + el.clientHeight };
  };
  const inside = (box, frame) => box.left >= frame.left - TOLERANCE && box.right <= frame.right + TOLERANCE
    && box.top >= frame.top - TOLERANCE && box.bottom <= frame.bottom + TOLERANCE;

  /* Cut off: an element reaching past an ancestor that hides its overflow (a scrolling ancestor lets the
     visitor reach it; the screen itself is the last frame for anything that does not scroll). */
  function cutOff(el) {
    const box = el.getBoundingClientRect();
    if (box.width === 0 && box.height === 0) return null;
    if (getComputedStyle(el).position === "fixed") return inside(box, { left: 0, top: 0, right: innerWidth, bottom: innerHeight }) ? null : "the screen";
    for (let up = el.parentElement; up && up !== document.body; up = up.parentElement) {
      const style = getComputedStyle(up);
      const overflows = [style.overflowX, style.overflowY];
      if (overflows.some((value) => value === "auto" || value === "scroll")) return null;
      if (overflows.some((value) => value === "hidden" || value === "clip")) {
        if (up instanceof SVGElement && !(up instanceof SVGSVGElement)) continue;
        const frame = up instanceof SVGSVGElement ? up.getBoundingClientRect() : paddingBox(up);
        if (!inside(box, frame)) return describe(up);
      }
      if (style.position === "fixed") break;
    }
    return inside(box, { left: 0, top: 0, right: innerWidth, bottom: innerHeight }) ? null : "the screen";
  }

  /* Shortened on purpose: a text cut to whole lines with an ellipsis (line-clamp), whose full text is one tap
     away. Anything else that does not fit, or a clamp that cuts a line in half, is clipped. */
  function clipped(el, style) {
    if (style.display === "inline" || el instanceof SVGElement) return null;
    if (["auto", "scroll"].includes(style.overflowY) || ["auto", "scroll"].includes(style.overflowX)) return null;
    // Display type set tight (a line height under its size) lets its glyphs reach past its box; that
    // shows, unless something hides it. A box that lets its content show is too small only when its text
    // needs half a line more.
    const lineHeight = parseFloat(style.lineHeight) || parseFloat(style.fontSize) * 1.2;
    const hides = [style.overflowX, style.overflowY].some((value) => value === "hidden" || value === "clip");
    const wide = el.scrollWidth > el.clientWidth + TOLERANCE;
    const tall = el.scrollHeight > el.clientHeight + (hides ? TOLERANCE : lineHeight / 2);
    if (!wide && !tall) return null;
    if (!wide && style.webkitLineClamp !== "none") {
      const lines = (el.clientHeight - parseFloat(style.paddingTop) - parseFloat(style.paddingBottom)) / lineHeight;
      if (lines >= 0.9 && Math.abs(lines - Math.round(lines)) < 0.15) return null;
      return `cut mid-line (${lines.toFixed(2)} lines shown)`;
    }
    return `its text needs ${el.scrollWidth}×${el.scrollHeight} px, it has ${el.clientWidth}×${el.clientHeight}`;
  }

  function renderedSize(el, style) {
    const size = parseFloat(style.fontSize);
    if (!(el instanceof SVGElement)) return size;
    const matrix = el.getScreenCTM();
    return matrix ? size * Math.hypot(matrix.a, matrix.b) : size;
  }

  for (const el of document.body.querySelectorAll("*")) {
    if (!ownText(el) || !shown(el)) continue;
    const style = getComputedStyle(el);
    const size = renderedSize(el, style);
    if (size < minText - 0.05) problems.push(`text ${size.toFixed(1)} px (under ${minText}): ${describe(el)}`);
    const clip = clipped(el, style);
    if (clip) problems.push(`clipped, ${clip}: ${describe(el)}`);
    const frame = cutOff(el);
    if (frame) problems.push(`cut off by ${frame}: ${describe(el)}`);
  }

  /* Targets: everything a finger can activate that is on screen, at least minTarget square, none touching
     another (the part of each that is not scrolled away is what a finger can reach). */
  const selector = 'a[href], button, summary, [role=slider], [tabindex]:not([tabindex="-1"])';
  const all = Array.from(document.querySelectorAll(selector)).filter(shown);
  const reachable = (el) => {
    const box = el.getBoundingClientRect();
    let part = { left: box.left, top: box.top, right: box.right, bottom: box.bottom };
    for (let up = el.parentElement; up; up = up.parentElement) {
      if (getComputedStyle(up).overflow === "visible") continue;
      const clip = up.getBoundingClientRect();
      part = { left: Math.max(part.left, clip.left), top: Math.max(part.top, clip.top),
               right: Math.min(part.right, clip.right), bottom: Math.min(part.bottom, clip.bottom) };
    }
    return { left: Math.max(part.left, 0), top: Math.max(part.top, 0),
             right: Math.min(part.right, innerWidth), bottom: Math.min(part.bottom, innerHeight) };
  };
  const targets = all.map((el) => ({ el, box: el.getBoundingClientRect(), part: reachable(el) }))
    .filter(({ part }) => part.right > part.left && part.bottom > part.top);
  for (const { el, box } of targets) {
    if (box.width < minTarget - 0.5 || box.height < minTarget - 0.5) {
      problems.push(`target ${box.width.toFixed(0)}×${box.height.toFixed(0)} px: ${describe(el)}`);
    }
  }
  const alone = targets.filter(({ el }) => !all.some((other) => other !== el && other.contains(el)));
  alone.forEach((one, index) => {
    for (const other of alone.slice(index + 1)) {
      const a = one.part;
      const b = other.part;
      const apart = Math.min(a.right, b.right) <= Math.max(a.left, b.left) || Math.min(a.bottom, b.bottom) <= Math.max(a.top, b.top);
      if (!apart) problems.push(`targets touch: ${describe(one.el)} and ${describe(other.el)}`);
    }
  });
  if (!targets.length) problems.push("no target on screen");

  if (axe) {
    const result = await window.axe.run(document, { resultTypes: ["violations"] });
    for (const violation of result.violations) {
      problems.push(`axe ${violation.id} (${violation.impact}): ${violation.help}: ${violation.nodes.slice(0, 3).map((node) => node.target.join(" ")).join(", ")}`);
    }
  }
  return problems;
}
