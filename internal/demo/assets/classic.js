// A classic script that corsdemo's API serves. Without a crossorigin
// attribute it is a no-cors request: it runs whatever the CORS headers say,
// but the page sees its errors only as "Script error.". The page loads it
// with data-throw to show that.
(function () {
  var me = document.currentScript;
  (window.corsdemoRan = window.corsdemoRan || []).push(me ? me.src : "classic.js");
  if (me && me.hasAttribute("data-throw")) throw new Error("classic.js threw this on purpose");
})();
