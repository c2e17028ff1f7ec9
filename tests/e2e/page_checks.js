// What every page must hold to at the window's width, checked in the page by
// test_every_page_fits.py: `({ codes })` → the problems found, in Chinese.
({ codes }) => {
  const problems = [];
  const vw = document.documentElement.clientWidth;
  const describe = (el) => {
    const id = el.dataset.testid ? `[${el.dataset.testid}]` : "";
    return `${el.tagName.toLowerCase()}${id}“${(el.innerText || "").trim().slice(0, 24)}”`;
  };
  const visible = (el) => el.offsetParent || getComputedStyle(el).position === "fixed";

  // The page body never scrolls sideways; name the innermost elements that stick out
  // (those inside a scrolling container scroll there, as they should).
  if (document.documentElement.scrollWidth > vw + 1) {
    const scrolls = (el) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        if (["auto", "scroll", "hidden"].includes(getComputedStyle(p).overflowX)) return true;
      }
      return false;
    };
    const wide = [...document.body.querySelectorAll("*")].filter((el) => {
      const r = el.getBoundingClientRect();
      return r.width > 0 && r.right > vw + 1 && !scrolls(el);
    });
    const inner = wide.filter((el) => !wide.some((o) => o !== el && el.contains(o)));
    const width = document.documentElement.scrollWidth;
    problems.push(
      `页面横向溢出（内容宽 ${width}px，窗口 ${vw}px）：` + inner.slice(0, 3).map(describe).join("、"),
    );
  }

  // Text squeezed into a box narrower than four characters and broken over lines (a name a
  // character or two a line, a menu 办/理/进/度, a button's label down the page): each
  // text's box is its nearest ancestor that is not inline (a cell, a flex item, a button).
  const boxes = new Map();
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    let box = node.parentElement;
    if (!node.textContent.trim() || !box || !visible(box)) continue;
    while (box.parentElement && ["inline", "contents"].includes(getComputedStyle(box).display)) {
      box = box.parentElement;
    }
    if (!boxes.has(box)) boxes.set(box, []);
    boxes.get(box).push(node);
  }
  for (const [box, nodes] of boxes) {
    const style = getComputedStyle(box);
    const em = parseFloat(style.fontSize);
    const padding = parseFloat(style.paddingLeft) + parseFloat(style.paddingRight);
    const width = box.clientWidth - padding;
    if (width >= 4 * em || box.clientWidth === 0) continue;
    // The lines its text runs over: the tops of its line boxes, those of one line (a badge
    // beside plain text) within half a character of each other.
    const tops = [];
    for (const node of nodes) {
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) if (r.width > 0) tops.push(r.top);
    }
    tops.sort((a, b) => a - b);
    const lines = tops.filter((top, i) => i === 0 || top - tops[i - 1] > em / 2).length;
    if (lines > 1) {
      const px = Math.round(width);
      problems.push(`文字被挤成窄条（${px}px，不足四个字宽，折成${lines}行）：${describe(box)}`);
    }
  }

  // A chart's words (drawn as SVG) neither overlap nor stick out of the chart.
  for (const svg of document.querySelectorAll("[data-chart] svg")) {
    const box = svg.getBoundingClientRect();
    const texts = [...svg.querySelectorAll("text")]
      .filter((t) => t.textContent.trim())
      .map((t) => [t.textContent.trim(), t.getBoundingClientRect()]);
    for (const [label, r] of texts) {
      const out = r.left < box.left - 1 || r.right > box.right + 1
        || r.top < box.top - 1 || r.bottom > box.bottom + 1;
      if (out) problems.push(`图表文字被裁切：“${label}”`);
    }
    for (let i = 0; i < texts.length; i++) {
      for (let j = i + 1; j < texts.length; j++) {
        const [a, ra] = texts[i];
        const [b, rb] = texts[j];
        const w = Math.min(ra.right, rb.right) - Math.max(ra.left, rb.left);
        const h = Math.min(ra.bottom, rb.bottom) - Math.max(ra.top, rb.top);
        if (w > 1 && h > 1) problems.push(`图表文字重叠：“${a}”与“${b}”`);
      }
    }
  }

  // No stored code where its label belongs (individual, submitted …) and no Python value,
  // in the words a reader sees; what is shown as an identifier (.mono: a USCC, a user name,
  // a number) and what a user types are left alone.
  const shown = [];
  const texts = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  for (let node = texts.nextNode(); node; node = texts.nextNode()) {
    const parent = node.parentElement;
    const skipped = ".mono, code, script, style, template, textarea, option";
    if (!parent || parent.closest(skipped) || !visible(parent)) continue;
    shown.push(node.textContent);
  }
  const words = new Set(shown.join(" ").match(/(?<![\w./-])[A-Za-z][\w-]*(?![\w./-])/g) || []);
  for (const word of words) {
    if (codes.includes(word) || /^(True|False|None)$/.test(word)) {
      problems.push(`页面显示了代码“${word}”`);
    }
  }
  return problems;
}
