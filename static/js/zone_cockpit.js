// Draw the zone cockpit's charts from reports:cockpit_data. The page already prints every
// number in tables; the charts only add a picture. Each chart marks itself data-rendered="1"
// once drawn, and a click on a bar or slice opens the records behind it.
(function () {
  "use strict";

  var root = document.getElementById("zone-cockpit");
  if (!root || typeof echarts === "undefined") {
    return;
  }
  var charts = [];

  function draw(id, option, onClick) {
    var el = document.getElementById(id);
    if (!el) {
      return;
    }
    var chart = echarts.init(el, null, { renderer: "canvas" });
    chart.setOption(option);
    if (onClick) {
      chart.on("click", onClick);
    }
    charts.push(chart);
    el.setAttribute("data-rendered", "1");
  }

  function go(url) {
    if (url) {
      window.location.href = url;
    }
  }

  function pie(id, rows, colors) {
    // Nothing to divide: say so instead of drawing equal slices of nothing.
    var total = rows.reduce(function (sum, r) { return sum + (Number(r.value) || 0); }, 0);
    if (total === 0) {
      var el = document.getElementById(id);
      if (el) {
        el.textContent = "本期暂无数据";
        el.classList.add("chart-empty");
        el.setAttribute("data-rendered", "1");
      }
      return;
    }
    draw(id, {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0 },
      color: colors,
      series: [{
        type: "pie",
        radius: ["35%", "65%"],
        data: rows.map(function (r) { return { name: r.label, value: r.value, url: r.url || "" }; })
      }]
    }, function (p) { go(p.data.url); });
  }

  function render(data) {
    draw("chart-jobs", {
      tooltip: { trigger: "axis" },
      grid: { left: 50, right: 20, top: 20, bottom: 40 },
      xAxis: { type: "category", data: data.jobs.map(function (r) { return r.label; }) },
      yAxis: { type: "value", name: "人" },
      series: [{
        type: "bar",
        label: { show: true, position: "top" },
        data: data.jobs.map(function (r) { return { value: r.value, url: r.url }; })
      }]
    }, function (p) { go(p.data.url); });

    pie("chart-relief", data.relief, ["#0d6efd", "#d63384"]);

    var hall = data.hall;
    pie("chart-hall", [
      { label: "按时办结", value: hall.on_time, url: data.hall_url },
      { label: "超期办结", value: hall.finished - hall.on_time, url: data.hall_url }
    ], ["#198754", "#dc3545"]);

    var f = data.followups;
    pie("chart-followups", [
      { label: "已随访", value: f.done },
      { label: "未随访", value: f.due - f.done }
    ], ["#198754", "#ffc107"]);
  }

  fetch(root.getAttribute("data-url"), { credentials: "same-origin" })
    .then(function (r) { return r.json(); })
    .then(render);

  window.addEventListener("resize", function () {
    charts.forEach(function (c) { c.resize(); });
  });
})();
