// Building SVG with DOM calls only: data reaches the page as attribute values and text nodes,
// never as markup.
const NS = "http://www.w3.org/2000/svg";

export function svgEl(name, attrs = {}, ...children) {
  const node = document.createElementNS(NS, name);
  for (const [key, value] of Object.entries(attrs)) {
    if (value !== null && value !== undefined) node.setAttribute(key, String(value));
  }
  node.append(...children);
  return node;
}

// A <title> child: the tooltip and the accessible name of a shape.
export function titled(node, text) {
  node.append(svgEl("title", {}, text));
  return node;
}

// A shape that acts as a button: clicked, or Enter/Space when focused.
export function pressable(node, label, onPress) {
  node.setAttribute("role", "button");
  node.setAttribute("tabindex", "0");
  node.setAttribute("aria-label", label);
  node.addEventListener("click", onPress);
  node.addEventListener("keydown", (event) => {
    if (event.key === "Enter" || event.key === " ") {
      event.preventDefault();
      onPress();
    }
  });
  return node;
}
