// Small progressive enhancements; every form also works without JavaScript.
document.documentElement.classList.add("js");
document.addEventListener("change", function (event) {
  var target = event.target;
  if (target.classList && target.classList.contains("autosubmit") && target.form) {
    target.form.submit();
  }
});
