// Accessibility basics, run in the page by tests/browser (an equivalent of axe-core's rules
// "label", "color-contrast" for the console's simple markup): returns a list of failures.
() => {
  const failures = [];
  const visible = (node) => {
    const style = getComputedStyle(node);
    return style.display !== "none" && style.visibility !== "hidden" && node.getClientRects().length > 0;
  };
  for (const control of document.querySelectorAll("input, select, textarea")) {
    if (control.type === "hidden" || !visible(control)) continue;
    const named = control.labels.length > 0 || control.getAttribute("aria-label") || control.getAttribute("aria-labelledby");
    if (!named) failures.push(`no label: ${control.outerHTML.slice(0, 80)}`);
  }
  for (const button of document.querySelectorAll("button")) {
    if (visible(button) && !button.textContent.trim() && !button.getAttribute("aria-label")) failures.push(`button without a name: ${button.outerHTML.slice(0, 80)}`);
  }
  const rgb = (text) => (text.match(/[\d.]+/g) || []).map(Number);
  const luminance = ([r, g, b]) => {
    const channel = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const background = (node) => {
    for (let current = node; current; current = current.parentElement) {
      const [r, g, b, a = 1] = rgb(getComputedStyle(current).backgroundColor);
      if (a > 0 && getComputedStyle(current).backgroundColor !== "rgba(0, 0, 0, 0)") return [r, g, b];
    }
    return [255, 255, 255];
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const checked = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode.parentElement;
    if (!walker.currentNode.textContent.trim() || !node || checked.has(node) || !visible(node)) continue;
    if (node.closest("svg")) continue;
    checked.add(node);
    const style = getComputedStyle(node);
    const fore = luminance(rgb(style.color));
    const back = luminance(background(node));
    const ratio = (Math.max(fore, back) + 0.05) / (Math.min(fore, back) + 0.05);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    if (ratio < (large ? 3 : 4.5)) failures.push(`contrast ${ratio.toFixed(2)} for "${walker.currentNode.textContent.trim().slice(0, 30)}"`);
  }
  return failures;
}
