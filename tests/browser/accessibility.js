// accessibility.js: the basics of an accessible page, checked in the page
// itself (evaluated by dashboard_browser.py through Runtime.evaluate; it
// reads the DOM only, so it works with the page's scripts disabled).
// The expression's value is the list of problems found (empty: all good):
//   - <html lang="fr">, a non-empty <title>, exactly one <h1>;
//   - heading levels never skip (h2 then h4);
//   - every visible input, select and textarea has a label: label[for],
//     a wrapping <label>, aria-label or aria-labelledby;
//   - images and SVG charts have a text alternative (img alt; svg with
//     role="img" and a <title> or aria-label, or aria-hidden);
//   - links and buttons have an accessible name (text, aria-label, title);
//   - text contrasts with its background (WCAG AA: 4.5:1, 3:1 for large
//     text), from the computed colours (background: the nearest ancestor's
//     opaque one, white by default; background images are not looked at).
(() => {
  const problems = [];
  const lang = document.documentElement.getAttribute("lang");
  if (lang !== "fr") problems.push(`<html lang> is ${JSON.stringify(lang)}, expected "fr"`);
  if (!document.title.trim()) problems.push("no <title>");
  const h1 = document.querySelectorAll("h1").length;
  if (h1 !== 1) problems.push(`${h1} <h1> elements, expected one`);

  let previous = 0;
  for (const h of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const level = Number(h.tagName[1]);
    if (previous && level > previous + 1)
      problems.push(`heading <${h.tagName.toLowerCase()}> "${h.textContent.trim()}" skips from h${previous}`);
    previous = level;
  }

  const named = (el) =>
    (el.getAttribute("aria-label") || "").trim() ||
    (el.getAttribute("aria-labelledby") || "")
      .split(/\s+/)
      .map((id) => (document.getElementById(id) || {}).textContent || "")
      .join("")
      .trim();
  const describe = (el) =>
    `<${el.tagName.toLowerCase()}${el.id ? ` id="${el.id}"` : ""}${el.name ? ` name="${el.name}"` : ""}>`;

  for (const field of document.querySelectorAll("input, select, textarea")) {
    if (field.type === "hidden") continue;
    const byFor = field.id && document.querySelector(`label[for="${CSS.escape(field.id)}"]`);
    if (!byFor && !field.closest("label") && !named(field))
      problems.push(`${describe(field)} has no label`);
  }

  for (const img of document.querySelectorAll("img")) {
    if (!img.hasAttribute("alt") && !named(img)) problems.push(`${describe(img)} has no alt text`);
  }
  for (const svg of document.querySelectorAll("svg")) {
    if (svg.parentElement && svg.parentElement.closest("svg")) continue;
    if (svg.getAttribute("aria-hidden") === "true") continue;
    const title = svg.querySelector(":scope > title");
    const alternative = named(svg) || (title && title.textContent.trim());
    if (svg.getAttribute("role") !== "img" || !alternative)
      problems.push(`${describe(svg)} chart has no role="img" with a title or aria-label`);
  }

  for (const el of document.querySelectorAll("a[href], button, input[type=submit], input[type=button]")) {
    const text = (el.textContent || el.value || "").trim() || named(el) || (el.getAttribute("title") || "").trim();
    const imgAlt = [...el.querySelectorAll("img[alt]")].map((i) => i.alt).join("").trim();
    if (!text && !imgAlt) problems.push(`${describe(el)} has no accessible name`);
  }
  const rgb = (css) => (css.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const lin = (c) => ((c /= 255) <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    return 0.2126 * lin(r) + 0.7152 * lin(g) + 0.0722 * lin(b);
  };
  const background = (el) => {
    for (let e = el; e; e = e.parentElement) {
      const c = rgb(getComputedStyle(e).backgroundColor);
      if (c.length === 3 || (c.length === 4 && c[3] > 0)) return c.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const seen = new Set();
  for (const el of document.body.querySelectorAll("*")) {
    const text = [...el.childNodes].some((n) => n.nodeType === Node.TEXT_NODE && n.textContent.trim());
    if (!text || !el.getClientRects().length || el.closest("svg")) continue;
    const style = getComputedStyle(el);
    if (style.visibility === "hidden") continue;
    const [fg, bg] = [luminance(rgb(style.color)), luminance(background(el))];
    const ratio = (Math.max(fg, bg) + 0.05) / (Math.min(fg, bg) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    const key = `${style.color}/${background(el)}`;
    if (ratio < (large ? 3 : 4.5) && !seen.has(key)) {
      seen.add(key);
      problems.push(`${describe(el)} "${el.textContent.trim().slice(0, 30)}": contrast ${ratio.toFixed(2)}:1`);
    }
  }
  return problems;
})()
