// 上门服务 and 上门告知: the phone's position into the latitude/longitude fields, and the
// applicant's signature drawn on a canvas, sent as a PNG in a hidden field.
(function () {
  var GEO_ERRORS = {
    1: "您已拒绝本页使用定位。请在浏览器设置中允许定位后重试,或手工填写经纬度,或改为拍摄现场照片。",
    2: "暂时无法确定位置(信号弱或定位服务关闭),可稍后重试或手工填写。",
    3: "定位超时,请到开阔处重试,或手工填写。"
  };
  document.querySelectorAll("[data-locate]").forEach(function (button) {
    var form = button.closest("form");
    var status = form.querySelector("[data-locate-status]");
    button.addEventListener("click", function () {
      if (!navigator.geolocation) {
        status.textContent = "此设备或浏览器不支持定位,可手工填写经纬度。";
        return;
      }
      status.textContent = "正在定位…";
      navigator.geolocation.getCurrentPosition(function (pos) {
        form.querySelector("[name=latitude]").value = pos.coords.latitude.toFixed(6);
        form.querySelector("[name=longitude]").value = pos.coords.longitude.toFixed(6);
        status.textContent = "已获取位置(精度约 " + Math.round(pos.coords.accuracy) + " 米)。";
      }, function (err) {
        status.textContent = GEO_ERRORS[err.code] || GEO_ERRORS[2];
      }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
    });
  });

  // The intake shows the home fields for 上门服务 only.
  document.querySelectorAll("[data-home-fields]").forEach(function (block) {
    var channel = block.closest("form").querySelector("[name=channel]");
    if (!channel) return;
    function toggle() { block.hidden = channel.value !== "home_visit"; }
    channel.addEventListener("change", toggle);
    toggle();
  });

  document.querySelectorAll("canvas[data-signature]").forEach(function (canvas) {
    var form = canvas.closest("form");
    var field = form.querySelector("[name=signature]");
    var ctx = canvas.getContext("2d");
    var drawing = false;
    var drawn = false;
    function fit() {
      var ratio = window.devicePixelRatio || 1;
      var width = canvas.clientWidth;
      canvas.width = Math.round(width * ratio);
      canvas.height = Math.round(width * 0.45 * ratio);
      canvas.style.height = Math.round(width * 0.45) + "px";
      ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
      ctx.fillStyle = "#fff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.lineWidth = 2.5;
      ctx.lineCap = "round";
      ctx.lineJoin = "round";
      ctx.strokeStyle = "#111";
      drawn = false;
      field.value = "";
    }
    function point(event) {
      var box = canvas.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    }
    canvas.addEventListener("pointerdown", function (event) {
      drawing = true;
      canvas.setPointerCapture(event.pointerId);
      var p = point(event);
      ctx.beginPath();
      ctx.moveTo(p.x, p.y);
      event.preventDefault();
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drawing) return;
      var p = point(event);
      ctx.lineTo(p.x, p.y);
      ctx.stroke();
      drawn = true;
      event.preventDefault();
    });
    function stop() {
      if (!drawing) return;
      drawing = false;
      if (drawn) field.value = canvas.toDataURL("image/png");
    }
    canvas.addEventListener("pointerup", stop);
    canvas.addEventListener("pointercancel", stop);
    var clear = form.querySelector("[data-signature-clear]");
    if (clear) clear.addEventListener("click", fit);
    fit();
  });
})();
