// 登记走访: fill latitude and longitude from the device's position on request.
(function () {
  var button = document.getElementById("locate");
  if (!button) return;
  button.addEventListener("click", function () {
    var status = document.getElementById("locate-status");
    if (!navigator.geolocation) { status.textContent = "此设备不支持定位。"; return; }
    status.textContent = "正在定位…";
    navigator.geolocation.getCurrentPosition(function (pos) {
      document.getElementById("id_latitude").value = pos.coords.latitude.toFixed(6);
      document.getElementById("id_longitude").value = pos.coords.longitude.toFixed(6);
      status.textContent = "已获取位置。";
    }, function () { status.textContent = "未能获取位置,可手工填写或留空。"; });
  });
})();
