(function () {
  function values(a) { return a ? Array.prototype.slice.call(a) : []; }
  function present(v) { return v !== null && v !== undefined; }
  function countPoints(trace) {
    if (trace.z) {
      return values(trace.z).reduce(function (n, row) {
        return n + values(row).filter(present).length;
      }, 0);
    }
    var axis = (trace.type === "histogram" || trace.orientation === "h") ? trace.x : trace.y;
    return values(axis).filter(present).length;
  }
  var status = { charts: [], errors: window.__dashboardErrors, missing: {}, done: false };
  var figures = JSON.parse(document.getElementById("dashboard-figures").textContent);
  status.missing = JSON.parse(document.getElementById("dashboard-missing").textContent);
  var userFigures = JSON.parse(document.getElementById("dashboard-user-figures").textContent);
  var shown = Object.assign({}, figures);
  var windowShown = "recent";
  var config = { displaylogo: false, responsive: true };
  function summary(id, gd) {
    return {
      id: id,
      traces: gd.data.length,
      points: gd.data.reduce(function (n, t) { return n + countPoints(t); }, 0)
    };
  }
  function writeStatus() {
    document.getElementById("dashboard-status").textContent = JSON.stringify(status);
  }
  var jobs = Object.keys(figures).map(function (id) {
    var figure = figures[id];
    return Plotly.newPlot("chart-" + id, figure.data, figure.layout, config).then(function (gd) {
      status.charts.push(summary(id, gd));
    });
  });
  function showUser(user) {
    var own = user ? userFigures[user] || {} : null;
    document.querySelectorAll("[data-view]").forEach(function (el) {
      el.hidden = el.getAttribute("data-view") !== user;
    });
    document.querySelectorAll(".unsplit").forEach(function (el) { el.hidden = !user; });
    var note = document.getElementById("user-filter-note");
    if (note) { note.hidden = !user; }
    var redraws = Object.keys(figures).filter(function (id) {
      return !own || Object.prototype.hasOwnProperty.call(own, id);
    }).map(function (id) {
      var figure = own ? own[id] || { data: [], layout: figures[id].layout } : figures[id];
      shown[id] = figure;
      return Plotly.react("chart-" + id, figure.data, figure.layout, config).then(function (gd) {
        return summary(id, gd);
      });
    });
    return Promise.all(redraws).then(function (charts) {
      status.view = { user: user, charts: charts };
      showWindow(windowShown);
      writeStatus();
    }).catch(function (e) { status.errors.push(String(e)); writeStatus(); });
  }
  var filter = document.getElementById("user-filter");
  if (filter) {
    status.users = Array.prototype.map.call(filter.options, function (o) { return o.value; })
      .filter(function (v) { return v; });
    filter.addEventListener("change", function () { showUser(filter.value); });
  }
  window.__dashboardShowUser = showUser;
  function showWindow(which) {
    windowShown = which;
    Object.keys(shown).forEach(function (id) {
      var meta = shown[id].layout.meta;
      if (!meta || !meta.recent_range) { return; }
      var update = which === "all"
        ? { "xaxis.range": [-0.5, meta.categories - 0.5] }
        : { "xaxis.range": meta.recent_range };
      Plotly.relayout("chart-" + id, update);
    });
    document.querySelectorAll("[data-window]").forEach(function (b) {
      b.classList.toggle("active", b.getAttribute("data-window") === which);
    });
  }
  document.querySelectorAll("[data-window]").forEach(function (b) {
    b.addEventListener("click", function () { showWindow(b.getAttribute("data-window")); });
  });
  Promise.all(jobs).catch(function (e) { status.errors.push(String(e)); }).then(function () {
    status.done = true;
    writeStatus();
    document.body.setAttribute("data-ready", "true");
  });
})();
