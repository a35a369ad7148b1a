// The live dashboard: one EventSource on /events; every event is a whole snapshot (figures and
// health), so a reconnect needs nothing but the next event. Charts are Chart.js, served by the
// dashboard itself from its WebJar; each card can show its numbers as a table instead.
"use strict";

(function () {
  const PALETTE = ["#2b6cb0", "#dd6b20", "#2f855a", "#805ad5", "#c53030", "#d69e2e",
    "#319795", "#b83280", "#4a5568", "#718096"];
  const money = new Intl.NumberFormat("en-US", { minimumFractionDigits: 2, maximumFractionDigits: 2 });
  const count = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
  const oneDecimal = new Intl.NumberFormat("en-US", { minimumFractionDigits: 1, maximumFractionDigits: 1 });

  const charts = {};
  let latest = null;

  // What tests and curious users can read: the last snapshot and the charts.
  window.salesDashboard = { charts, snapshot: () => latest };

  function byId(id) { return document.getElementById(id); }
  function field(root, name) { return root.querySelector('[data-field="' + name + '"]'); }
  function clock(iso) { return iso ? iso.substring(11, 16) : ""; }
  function clockSeconds(iso) { return iso ? iso.substring(11, 19) : ""; }
  function colors(n) { return Array.from({ length: n }, (_, i) => PALETTE[i % PALETTE.length]); }

  // An open window's figure is provisional: it still grows until the window closes.
  const PROVISIONAL = "provisional";
  function minuteLabel(iso, provisional) { return clock(iso) + (provisional ? " " + PROVISIONAL : ""); }

  // Diagonal hatching in a lighter shade of the colour: bars of a provisional window.
  function hatched(color) {
    const tile = document.createElement("canvas");
    tile.width = 8;
    tile.height = 8;
    const g = tile.getContext("2d");
    g.fillStyle = color + "40";
    g.fillRect(0, 0, 8, 8);
    g.strokeStyle = color;
    g.lineWidth = 2;
    g.beginPath();
    g.moveTo(0, 8);
    g.lineTo(8, 0);
    g.stroke();
    return g.createPattern(tile, "repeat");
  }

  function ago(iso) {
    if (!iso) { return ""; }
    const seconds = Math.max(0, Math.round((Date.now() - Date.parse(iso)) / 1000));
    return seconds < 90 ? seconds + " s ago" : Math.round(seconds / 60) + " min ago";
  }

  function seconds(ms) {
    return ms < 10000 ? oneDecimal.format(ms / 1000) + " s" : count.format(ms / 1000) + " s";
  }

  function makeChart(cardId, type, options) {
    const canvas = byId(cardId).querySelector("canvas");
    charts[cardId] = new Chart(canvas, {
      type: type,
      data: { labels: [], datasets: [] },
      options: Object.assign({ animation: false, responsive: true, maintainAspectRatio: false }, options)
    });
    return charts[cardId];
  }

  function setRows(cardId, rows, provisionalRows) {
    const tbody = byId(cardId).querySelector("tbody");
    tbody.replaceChildren(...rows.map((cells, r) => {
      const tr = document.createElement("tr");
      if (provisionalRows && provisionalRows[r]) { tr.className = PROVISIONAL; }
      cells.forEach(cell => {
        const td = document.createElement("td");
        td.textContent = cell.text;
        if (cell.num) { td.className = "num"; }
        tr.appendChild(td);
      });
      return tr;
    }));
  }

  function text(value) { return { text: String(value) }; }
  function num(value) { return { text: value, num: true }; }

  function setupCharts() {
    makeChart("revenue-per-product", "bar", {
      indexAxis: "y",
      plugins: {
        legend: { display: false },
        tooltip: { callbacks: { label: c => "EUR " + money.format(c.parsed.x) } }
      },
      scales: { x: { title: { display: true, text: "EUR" } } }
    });
    makeChart("region-share", "doughnut", {
      plugins: {
        legend: { position: "right" },
        tooltip: {
          callbacks: {
            label: c => {
              const share = latest.figures.region_shares[c.dataIndex].share;
              return c.label + ": EUR " + money.format(c.parsed) + " (" + oneDecimal.format(share * 100) + " %)";
            }
          }
        }
      }
    });
    makeChart("region-trend", "line", {
      plugins: { legend: { position: "bottom" } },
      scales: { y: { beginAtZero: true, title: { display: true, text: "units" } } }
    });
    makeChart("units-per-product-5m", "bar", {
      plugins: { legend: { display: false } },
      scales: { y: { beginAtZero: true, title: { display: true, text: "units" } } }
    });
    document.querySelectorAll(".card .toggle").forEach(button => {
      button.addEventListener("click", () => {
        const card = button.closest(".card");
        const table = card.classList.toggle("show-table");
        button.textContent = table ? "Chart" : "Table";
        button.setAttribute("aria-pressed", String(table));
      });
    });
  }

  function renderRevenuePerProduct(products) {
    const chart = charts["revenue-per-product"];
    chart.data.labels = products.map(p => p.name);
    chart.data.datasets = [{ label: "revenue EUR", data: products.map(p => Number(p.revenue_eur)),
      backgroundColor: PALETTE[0] }];
    chart.update("none");
    setRows("revenue-per-product", products.map((p, i) => [num(String(i + 1)), text(p.product_id),
      text(p.name), num(count.format(p.units)), num(money.format(p.revenue_eur)),
      num(money.format(p.margin_eur))]));
  }

  function renderRegionShares(regions) {
    const chart = charts["region-share"];
    chart.data.labels = regions.map(r => r.region);
    chart.data.datasets = [{ label: "revenue EUR", data: regions.map(r => Number(r.revenue_eur)),
      backgroundColor: colors(regions.length) }];
    chart.update("none");
    setRows("region-share", regions.map(r => [text(r.region), num(count.format(r.units)),
      num(money.format(r.revenue_eur)), num(oneDecimal.format(r.share * 100) + " %")]));
  }

  function renderRegionTrend(trend) {
    const chart = charts["region-trend"];
    const open = trend.provisional;
    chart.data.labels = trend.minutes.map((minute, m) => minuteLabel(minute, open[m]));
    const palette = colors(trend.regions.length);
    // The line into an open minute dashed, its point hollow: that figure is provisional.
    chart.data.datasets = trend.regions.map((series, i) => ({ label: series.region,
      data: series.units, borderColor: palette[i], backgroundColor: palette[i], tension: 0,
      pointBackgroundColor: open.map(p => p ? "#fff" : palette[i]),
      pointRadius: open.map(p => p ? 5 : 3),
      segment: { borderDash: c => open[c.p1DataIndex] ? [6, 4] : undefined } }));
    chart.update("none");
    const head = byId("region-trend").querySelector("thead tr");
    head.replaceChildren(...["Minute (UTC)"].concat(trend.regions.map(r => r.region)).map((name, i) => {
      const th = document.createElement("th");
      th.textContent = name;
      if (i > 0) { th.className = "num"; }
      return th;
    }));
    setRows("region-trend", trend.minutes.map((minute, m) => [text(minuteLabel(minute, open[m]))]
      .concat(trend.regions.map(r => num(count.format(r.units[m]))))), open);
  }

  function renderProductWindow(window) {
    const chart = charts["units-per-product-5m"];
    chart.data.labels = window.products.map(p => p.name);
    chart.data.datasets = [{ label: window.provisional ? "units (" + PROVISIONAL + ")" : "units",
      data: window.products.map(p => p.units),
      backgroundColor: window.provisional ? hatched(PALETTE[2]) : PALETTE[2],
      borderColor: PALETTE[2], borderWidth: window.provisional ? 1 : 0 }];
    chart.update("none");
    const card = byId("units-per-product-5m");
    card.dataset.provisional = String(window.provisional);
    field(card, "window").textContent = window.window_start
      ? "5-minute window " + clock(window.window_start) + "–" + clock(window.window_end) + " UTC"
        + (window.provisional ? ", " + PROVISIONAL : "") + ", top "
        + window.products.length + " of " + window.product_count
      : "no window yet";
    setRows("units-per-product-5m", window.products.map((p, i) => [num(String(i + 1)),
      text(p.product_id), text(p.name), text(p.category), num(count.format(p.units))]));
  }

  function renderSellers(minute) {
    const card = byId("top-sellers");
    card.dataset.provisional = String(minute.provisional);
    field(card, "minute").textContent = minute.window_start
      ? "minute " + clock(minute.window_start) + " UTC" + (minute.provisional ? ", " + PROVISIONAL : "")
      : "no minute yet";
    setRows("top-sellers", minute.sellers.map((s, i) => [num(String(i + 1)), text(s.seller_id),
      num(count.format(s.orders)), num(count.format(s.units)), num(money.format(s.revenue_eur))]));
  }

  function setFigure(id, level, value, detail) {
    const figure = byId(id);
    figure.dataset.level = level;
    figure.querySelector(".value").textContent = value;
    figure.querySelector(".detail").textContent = detail;
  }

  function renderHealth(snapshot) {
    const health = snapshot.health;
    const flink = health.flink;
    if (!flink) {
      setFigure("health-job", "warn", "…", "asking Flink");
    } else if (flink.status !== "ok") {
      setFigure("health-job", flink.status === "off" ? "warn" : "bad", flink.status, flink.message || "");
    } else {
      setFigure("health-job", flink.job_state === "RUNNING" ? "ok" : "bad", flink.job_state,
        "since " + clockSeconds(flink.job_start) + " UTC");
    }
    const checkpoint = flink && flink.last_checkpoint;
    const failed = flink && flink.last_failed_checkpoint;
    // Bad only while the newest attempt failed: nothing is committed until one completes.
    const failing = failed && (!checkpoint || failed.id > checkpoint.id);
    if (checkpoint) {
      setFigure("health-checkpoint", failing ? "bad" : "ok",
        "#" + checkpoint.id + ", " + ago(checkpoint.completed_at),
        "took " + checkpoint.duration_ms + " ms; " + flink.checkpoints_completed + " completed, "
          + flink.checkpoints_failed + " failed" + (failing ? "; #" + failed.id + " failed: " + failed.message : ""));
    } else {
      setFigure("health-checkpoint", failing ? "bad" : "warn", "none yet", failing
        ? "#" + failed.id + " failed: " + failed.message : "");
    }
    if (health.input_records_per_second === null || health.input_records_per_second === undefined) {
      setFigure("health-input", "warn", "…", "measuring");
    } else {
      setFigure("health-input", "ok", oneDecimal.format(health.input_records_per_second) + " records/s",
        Object.entries(health.input_per_topic).map(([t, r]) => t + " " + oneDecimal.format(r)).join(", "));
    }
    const lag = flink && flink.event_time_lag_ms ? flink.event_time_lag_ms : {};
    const sales = Object.entries(lag).filter(([topic]) => topic.indexOf("sales") >= 0);
    if (sales.length === 0) {
      setFigure("health-lag", "warn", "–", flink && flink.status === "ok" ? "no sales read yet" : "needs Flink");
    } else {
      const worst = Math.max(...sales.map(([, ms]) => ms));
      // Sales only: for catalog and FX rates the figure is the age of the newest version.
      setFigure("health-lag", worst > 120000 ? "bad" : worst > 60000 ? "warn" : "ok", seconds(worst),
        sales.map(([t, ms]) => t + " " + seconds(ms)).join(", "));
    }
    const reasons = Object.entries(snapshot.figures.dead_letters).sort((a, b) => b[1] - a[1]);
    const dead = reasons.reduce((sum, [, n]) => sum + n, 0);
    setFigure("health-dlq", dead > 0 ? "warn" : "ok", count.format(dead),
      reasons.map(([reason, n]) => reason + " " + count.format(n)).join(", "));
    setFigure("health-late", snapshot.figures.late_lines > 0 ? "warn" : "ok",
      count.format(snapshot.figures.late_lines), "beyond the allowed lateness");
  }

  function render(snapshot) {
    latest = snapshot;
    const figures = snapshot.figures;
    renderRevenuePerProduct(figures.revenue_per_product);
    renderRegionShares(figures.region_shares);
    renderRegionTrend(figures.region_trend);
    renderProductWindow(figures.product_window);
    renderSellers(figures.seller_minute);
    renderHealth(snapshot);
    field(byId("revenue-per-product"), "top-n").textContent =
      "top " + figures.revenue_per_product.length + ", EUR";
    field(document.body, "version").textContent = "Snapshot " + snapshot.version + " at "
      + clockSeconds(snapshot.generated_at) + " UTC.";
    document.body.dataset.version = String(snapshot.version);
    const stream = byId("stream");
    const problem = snapshot.health.kafka_problem;
    stream.dataset.state = problem ? "problem" : snapshot.health.caught_up ? "live" : "loading";
    stream.textContent = problem ? problem : snapshot.health.caught_up ? "live" : "catching up";
  }

  function connect() {
    const events = new EventSource("/events");
    events.addEventListener("snapshot", e => render(JSON.parse(e.data)));
    events.onerror = () => {
      // The browser reconnects by itself; the next event is a whole snapshot again.
      const stream = byId("stream");
      stream.dataset.state = "reconnecting";
      stream.textContent = "reconnecting";
    };
  }

  document.addEventListener("DOMContentLoaded", () => {
    setupCharts();
    connect();
    // Relative times ("3 s ago") move on between snapshots.
    setInterval(() => { if (latest) { renderHealth(latest); } }, 1000);
  });
})();
