// Draw the leader cockpit's charts from the cockpit_data JSON. The page already prints every
// number as text; the charts only add a picture. Each chart marks itself data-rendered="1"
// once drawn, and a click on a bar or slice opens the projects behind it.
(function () {
  "use strict";

  var root = document.getElementById("cockpit");
  if (!root || typeof echarts === "undefined") {
    return;
  }
  var YI = 100000000;
  var charts = [];

  function yi(value) {
    // Amounts arrive as decimal strings of 元; the chart shows 亿元 with two places.
    return value === null || value === undefined ? null : Math.round(Number(value) / YI * 100) / 100;
  }

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

  function render(data) {
    var links = data.links;
    var labels = data.labels;

    var classes = Object.keys(data.by_class).filter(function (c) {
      return data.by_class[c] > 0 || c !== "cancelled";
    });
    draw("chart-class", {
      tooltip: { trigger: "item", formatter: "{b}: {c} 个 ({d}%)" },
      legend: { bottom: 0 },
      series: [{
        type: "pie",
        radius: ["35%", "65%"],
        data: classes.map(function (c) {
          return { name: labels["class"][c], value: data.by_class[c], code: c };
        })
      }]
    }, function (p) { go(links["class"][p.data.code]); });

    var flags = Object.keys(data.flags);
    var flagColors = { ahead: "#198754", on_track: "#0d6efd", behind: "#dc3545" };
    draw("chart-flags", {
      tooltip: { trigger: "item", formatter: "{b}: {c} 个 ({d}%)" },
      legend: { bottom: 0 },
      series: [{
        type: "pie",
        radius: "65%",
        data: flags.map(function (f) {
          return { name: labels.flag[f], value: data.flags[f], code: f, itemStyle: { color: flagColors[f] } };
        })
      }]
    }, function (p) { go(links.flag[p.data.code]); });

    draw("chart-monthly", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v === null ? "—" : v + " 亿元"; } },
      legend: { bottom: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 50 },
      xAxis: { type: "category", data: data.monthly.map(function (r) { return r.month + "月"; }) },
      yAxis: { type: "value", name: "亿元" },
      series: [
        { name: "当月完成", type: "bar", data: data.monthly.map(function (r) { return yi(r.actual_month); }) },
        { name: "累计完成", type: "line", data: data.monthly.map(function (r) { return yi(r.actual); }) },
        { name: "累计计划", type: "line", lineStyle: { type: "dashed" }, data: data.monthly.map(function (r) { return yi(r.plan); }) }
      ]
    });

    draw("chart-sector", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " 亿元"; } },
      legend: { bottom: 0 },
      grid: { left: 50, right: 20, top: 30, bottom: 80, containLabel: true },
      xAxis: { type: "category", axisLabel: { interval: 0, rotate: 30 }, data: data.by_sector.map(function (s) { return s.name; }) },
      yAxis: { type: "value", name: "亿元" },
      series: [
        { name: "总投资", type: "bar", data: data.by_sector.map(function (s) { return { value: yi(s.total_investment), code: s.code }; }) },
        { name: "年度计划", type: "bar", data: data.by_sector.map(function (s) { return { value: yi(s.annual_plan), code: s.code }; }) }
      ]
    }, function (p) { go(links.sector[p.data.code]); });

    draw("chart-leader", {
      tooltip: { trigger: "axis" },
      grid: { left: 20, right: 30, top: 20, bottom: 20, containLabel: true },
      xAxis: { type: "value", minInterval: 1, name: "个" },
      yAxis: { type: "category", inverse: true, data: data.by_leader.map(function (r) { return r.name; }) },
      series: [{
        name: "项目数",
        type: "bar",
        data: data.by_leader.map(function (r) { return { value: r.count, id: String(r.id) }; })
      }]
    }, function (p) { go(links.leader[p.data.id]); });

    draw("chart-delayed", {
      tooltip: { trigger: "axis", valueFormatter: function (v) { return v + " 亿元"; } },
      legend: { bottom: 0 },
      grid: { left: 20, right: 30, top: 20, bottom: 40, containLabel: true },
      xAxis: { type: "value", name: "亿元" },
      yAxis: { type: "category", inverse: true, data: data.most_delayed.map(function (r) { return r.name; }) },
      series: [
        { name: "累计完成", type: "bar", data: data.most_delayed.map(function (r) { return { value: yi(r.ytd_investment), url: r.url }; }) },
        { name: "累计计划", type: "bar", data: data.most_delayed.map(function (r) { return { value: yi(r.cumulative_plan), url: r.url }; }) }
      ]
    }, function (p) { go(p.data.url); });
  }

  fetch(root.getAttribute("data-url"), { credentials: "same-origin", headers: { Accept: "application/json" } })
    .then(function (response) {
      if (!response.ok) {
        throw new Error("cockpit_data " + response.status);
      }
      return response.json();
    })
    .then(render)
    .catch(function (error) {
      // The tables above already carry every number; leave the charts empty.
      if (window.console) {
        console.error(error);
      }
    });

  window.addEventListener("resize", function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
})();
