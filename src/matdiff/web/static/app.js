// The matdiff page: reads the form, asks the JSON API, shows the answer.
// State lives in the URL (/?expr=&wrt=&vars=&layout=&hessian=); nothing is fetched from
// any other host. KaTeX renders through the DOM (katex.render), which the page's
// Content-Security-Policy allows.
"use strict";

const $ = (id) => document.getElementById(id);
const CODE_TARGETS = ["numpy", "jax", "torch"];
const DEBOUNCE_MS = 250;
const form = { expr: $("expr"), wrt: $("wrt"), vars: $("vars"), layout: $("layout"),
               hessian: $("hessian") };
let answer = null;          // the last derivative shown
let generation = 0;         // answers to older requests are dropped
let timer = null;

// ---- state <-> URL ---------------------------------------------------------------------

function readForm() {
  return { expr: form.expr.value, wrt: form.wrt.value.trim(), vars: form.vars.value.trim(),
           layout: form.layout.value, hessian: form.hessian.checked };
}

function writeForm(state) {
  form.expr.value = state.expr || "";
  form.wrt.value = state.wrt || "";
  form.vars.value = state.vars || "";
  form.layout.value = state.layout || "mixed";
  form.hessian.checked = !!state.hessian;
}

function toQuery(state) {
  const q = new URLSearchParams();
  if (state.expr) q.set("expr", state.expr);
  if (state.wrt) q.set("wrt", state.wrt);
  const vars = state.vars.split("\n").map((s) => s.trim()).filter(Boolean).join(";");
  if (vars) q.set("vars", vars);
  if (state.layout !== "mixed") q.set("layout", state.layout);
  if (state.hessian) q.set("hessian", "1");
  const s = q.toString();
  return s ? "?" + s : location.pathname;
}

function fromQuery(search) {
  const q = new URLSearchParams(search);
  return { expr: q.get("expr") || "", wrt: q.get("wrt") || "",
           vars: (q.get("vars") || "").split(";").map((s) => s.trim()).filter(Boolean).join("\n"),
           layout: q.get("layout") || "mixed", hessian: q.get("hessian") === "1" };
}

function remember(push) {
  const url = toQuery(readForm());
  if (url === location.search || (url === location.pathname && !location.search)) return;
  if (push) history.pushState(null, "", url); else history.replaceState(null, "", url);
}

// ---- the API ---------------------------------------------------------------------------

async function post(endpoint, body) {
  const response = await fetch("/api/" + endpoint, {
    method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: response.status, body: await response.json() };
}

function declarations(text) {
  const vars = {};
  for (const line of text.split(/[\n;]/).map((s) => s.trim()).filter(Boolean)) {
    const at = line.indexOf(":");
    if (at < 1) {
      throw { type: "BadRequest",
              message: `a declaration reads 'NAME: TYPE', e.g. 'A: matrix(n,n)'; got '${line}'` };
    }
    vars[line.slice(0, at).trim()] = line.slice(at + 1).trim();
  }
  return vars;
}

function wrtNames(text) {
  return text.split(/[\s,]+/).filter(Boolean);
}

// ---- showing ---------------------------------------------------------------------------

function tex(latex, element, display) {
  try {
    katex.render(latex, element, { displayMode: display, throwOnError: false });
  } catch (err) {
    element.textContent = latex;
  }
}

function clearAnswer() {
  answer = null;
  $("answer").hidden = true;
  for (const id of ["result", "dims", "result-text", "axes", "note", "explain", "code", "check"]) {
    $(id).textContent = "";
  }
}

function showError(error, expr) {
  clearAnswer();
  const box = $("error");
  box.replaceChildren(document.createTextNode(`${error.type}: ${error.message}`));
  const col = error.column;
  if (Number.isInteger(col) && col >= 0 && col <= expr.length) {
    const pre = document.createElement("pre");
    const mark = document.createElement("mark");
    mark.textContent = expr.slice(col, col + 1) || " ";
    pre.append(expr.slice(0, col), mark, expr.slice(col + 1));
    box.append(pre);
  }
  box.hidden = false;
}

function showAnswer(d) {
  $("error").hidden = true;
  $("error").textContent = "";
  answer = d;
  tex(d.latex, $("result"), true);
  $("dims").textContent = shape(d.dims);
  $("result-text").textContent = d.text;
  $("axes").textContent = d.axes || "";
  $("note").textContent = d.note || "";
  for (const extra of EXTRAS) $(extra.panel).replaceChildren(note("computing…"));
  $("answer").hidden = false;
}

function note(text) {
  const p = document.createElement("p");
  p.className = "note";
  p.textContent = text;
  return p;
}

function shape(dims) {
  if (!dims.length) return "1×1 (scalar)";
  return (dims.length === 1 ? dims.concat([1]) : dims).join("×");
}

function showSteps(steps) {
  const panel = $("explain");
  panel.replaceChildren();
  let heading = "";
  for (const step of steps) {
    const title = (steps.some((s) => s.stage > 1) ? `Stage ${step.stage}: ` : "") + step.title;
    if (title !== heading) {
      heading = title;
      const h = document.createElement("h3");
      h.textContent = title;
      panel.append(h);
    }
    const row = document.createElement("div");
    row.className = "step";
    const math = document.createElement("div");
    tex(step.latex, math, false);
    const why = document.createElement("div");
    why.className = "why";
    why.textContent = [step.shape && `shape ${step.shape}`, step.rule, step.note]
      .filter(Boolean).join(" · ");
    row.append(math, why);
    panel.append(row);
  }
}

function showCode(code) {
  if (code) answer.code = code;
  $("code").textContent = answer && answer.code ? answer.code[$("code-target").value] : "";
}

function showCheck(check) {
  const panel = $("check");
  panel.replaceChildren();
  const verdict = document.createElement("p");
  verdict.className = check.ok ? "ok" : "bad";
  verdict.textContent = check.ok ? "✓ matches finite differences"
                                 : "✗ differs from finite differences";
  const detail = document.createElement("p");
  detail.textContent =
    `max relative error ${check.max_error.toExponential(2)} — ${check.message}`;
  panel.append(verdict, detail);
}

function showConvexity(convexity) {
  $("convexity").replaceChildren(note(convexity.line));
}

function showVariables(variables, chosen) {
  const box = $("detected");
  box.replaceChildren();
  for (const v of variables) {
    const group = document.createElement("span");
    group.className = "variable";
    const name = document.createElement("button");
    name.type = "button";
    name.textContent = v.name;
    name.title = `differentiate by ${v.name} (shift-click: then by ${v.name} again or next)`;
    name.setAttribute("aria-pressed", String(chosen.includes(v.name)));
    name.addEventListener("click", (e) => {
      const first = wrtNames(form.wrt.value).slice(0, 1);
      form.wrt.value = (e.shiftKey && first.length ? first.concat([v.name]) : [v.name]).join(", ");
      update(true);
    });
    const type = document.createElement("button");
    type.type = "button";
    type.textContent = v.declaration;
    type.title = `edit the type of ${v.name}`;
    type.addEventListener("click", () => editDeclaration(v.name, v.declaration));
    group.append(name, type);
    box.append(group);
  }
}

// Put "name: declaration" in the declarations box (once) and select the type for editing.
function editDeclaration(name, declaration) {
  const lines = form.vars.value.split("\n").filter((l) => l.trim());
  let index = lines.findIndex((l) => l.split(":")[0].trim() === name);
  if (index < 0) {
    lines.push(`${name}: ${declaration}`);
    index = lines.length - 1;
  }
  form.vars.value = lines.join("\n");
  const start = lines.slice(0, index).reduce((n, l) => n + l.length + 1, 0)
    + lines[index].indexOf(":") + 2;
  form.vars.focus();
  form.vars.setSelectionRange(start, start + lines[index].length - lines[index].indexOf(":") - 2);
  remember(true);
}

// ---- the update cycle --------------------------------------------------------------------

async function compute() {
  const mine = ++generation;
  const state = readForm();
  if (!state.expr.trim()) {
    clearAnswer();
    $("error").hidden = true;
    $("detected").replaceChildren();
    return;
  }
  try {
    const vars = declarations(state.vars);
    const parsed = await post("parse", { expr: state.expr, vars });
    if (mine !== generation) return;
    if (parsed.status !== 200) {
      $("detected").replaceChildren();
      return showError(parsed.body.error, state.expr);
    }
    let wrt = wrtNames(state.wrt);
    if (!wrt.length && parsed.body.variables.length) {
      wrt = [parsed.body.variables[0].name];
      form.wrt.value = wrt[0];
      remember(false);
    }
    showVariables(parsed.body.variables, wrt);
    if (!wrt.length) {
      const message = "the expression has no variable to differentiate by";
      return showError({ type: "BadRequest", message }, state.expr);
    }
    const request = { expr: state.expr, wrt: wrt.length === 1 ? wrt[0] : wrt, vars,
                      layout: state.layout, hessian: state.hessian };
    const got = await post("derivative", request);
    if (mine !== generation) return;
    if (got.status !== 200) return showError(got.body.error, state.expr);
    showAnswer(got.body);
    await Promise.all(EXTRAS.map((extra) => computeExtra(extra, request, mine)));
  } catch (err) {
    if (mine !== generation) return;
    showError(err.type ? err : { type: "Error", message: String(err) }, state.expr);
  }
}

// The optional parts, each asked for on its own (a slow or refused one holds up no other).
const EXTRAS = [
  { name: "explain", value: true, panel: "explain", show: showSteps },
  { name: "code", value: CODE_TARGETS, panel: "code", show: showCode },
  { name: "check", value: true, panel: "check", show: showCheck },
  { name: "convexity", value: true, panel: "convexity", show: showConvexity },
];

async function computeExtra(extra, request, mine) {
  const got = await post("derivative", { ...request, [extra.name]: extra.value });
  if (mine !== generation) return;
  if (got.status === 200) {
    $(extra.panel).replaceChildren();
    extra.show(got.body[extra.name]);
  } else {
    $(extra.panel).replaceChildren(note(`${got.body.error.type}: ${got.body.error.message}`));
  }
}

function update(push) {
  clearTimeout(timer);
  remember(push);
  timer = setTimeout(compute, push ? 0 : DEBOUNCE_MS);
}

// ---- examples, copy, tabs ----------------------------------------------------------------

async function loadExamples() {
  const examples = await (await fetch("/static/examples.json")).json();
  const box = $("examples");
  let group = "";
  for (const ex of examples) {
    if (ex.group !== group) {
      group = ex.group;
      const h = document.createElement("h3");
      h.textContent = group;
      box.append(h);
    }
    const b = document.createElement("button");
    b.type = "button";
    b.dataset.testid = "example";
    b.textContent = ex.title;
    b.title = ex.expr;
    b.addEventListener("click", () => {
      writeForm({ expr: ex.expr, wrt: ex.wrt, vars: ex.vars || "", layout: form.layout.value,
                  hessian: !!ex.hessian });
      update(true);
    });
    box.append(b);
  }
}

async function copy(text, button) {
  try {
    await navigator.clipboard.writeText(text);
    const label = button.textContent;
    button.textContent = "Copied";
    setTimeout(() => { button.textContent = label; }, 1000);
  } catch (err) {
    window.prompt("Copy:", text);
  }
}

function selectTab(tab) {
  for (const t of document.querySelectorAll("[role=tab]")) {
    const on = t === tab;
    t.setAttribute("aria-selected", String(on));
    t.tabIndex = on ? 0 : -1;
    $(t.getAttribute("aria-controls")).hidden = !on;
  }
}

function wire() {
  form.expr.addEventListener("input", () => update(false));
  form.wrt.addEventListener("input", () => update(false));
  form.vars.addEventListener("input", () => update(false));
  form.layout.addEventListener("change", () => update(true));
  form.hessian.addEventListener("change", () => update(true));
  form.expr.addEventListener("keydown", (e) => { if (e.key === "Enter") update(true); });
  $("code-target").addEventListener("change", () => showCode());
  for (const b of document.querySelectorAll("[data-copy]")) {
    b.addEventListener("click", () => {
      const kind = b.dataset.copy;
      const text = !answer ? "" : kind === "code" ? $("code").textContent : answer[kind];
      if (text) copy(text, b);
    });
  }
  const tabs = [...document.querySelectorAll("[role=tab]")];
  tabs.forEach((tab, i) => {
    tab.addEventListener("click", () => selectTab(tab));
    tab.addEventListener("keydown", (e) => {
      const step = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
      if (!step) return;
      const next = tabs[(i + step + tabs.length) % tabs.length];
      selectTab(next);
      next.focus();
    });
  });
  selectTab(tabs[0]);
  $("share").addEventListener("click", () => copy(location.href, $("share")));
  window.addEventListener("popstate", () => { writeForm(fromQuery(location.search)); compute(); });
}

wire();
loadExamples();
writeForm(fromQuery(location.search));
compute();
