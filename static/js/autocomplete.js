// Searchable selects (coordination/autocomplete.py): a <select data-autocomplete-url>
// holds only its chosen option; Tom Select asks the server for matches as one types.
(function () {
  "use strict";

  function enhance(root) {
    if (typeof TomSelect === "undefined") {
      return;
    }
    root.querySelectorAll("select[data-autocomplete-url]").forEach(function (select) {
      if (select.tomselect) {
        return;
      }
      var url = select.getAttribute("data-autocomplete-url");
      var control = new TomSelect(select, {
        valueField: "id",
        labelField: "text",
        searchField: ["text"],
        allowEmptyOption: true,
        preload: "focus",
        loadThrottle: 250,
        maxOptions: 50,
        load: function (query, callback) {
          fetch(url + "?q=" + encodeURIComponent(query), {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
          })
            .then(function (response) {
              return response.ok ? response.json() : { results: [] };
            })
            .then(function (data) {
              callback(data.results);
            })
            .catch(function () {
              callback();
            });
        },
        render: {
          no_results: function () {
            return '<div class="no-results">No match. Try another word.</div>';
          },
          loading: function () {
            return '<div class="spinner-border spinner-border-sm m-2" role="status"><span class="visually-hidden">Searching…</span></div>';
          },
        },
      });
      // The original select now only holds the value; the combobox has its label.
      control.input.setAttribute("aria-hidden", "true");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
  document.addEventListener("htmx:load", function (event) {
    enhance(event.detail.elt);
  });
})();
