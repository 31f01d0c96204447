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
      var control = new TomSelect(select, settings(url, select.multiple ? ["remove_button"] : []));
      // The original select now only holds the value; the combobox has its label.
      control.input.setAttribute("aria-hidden", "true");
    });
    // A text field suggesting names: what is typed is kept, suggested or not.
    root.querySelectorAll("input[data-autocomplete-text]").forEach(function (input) {
      if (input.tomselect) {
        return;
      }
      var options = settings(input.getAttribute("data-autocomplete-url"), []);
      options.valueField = "text";
      options.maxItems = 1;
      options.create = true;
      options.createOnBlur = true;
      options.persist = false;
      options.render.option_create = function (data, escape) {
        return '<div class="create">Use “' + escape(data.input) + '”</div>';
      };
      var control = new TomSelect(input, options);
      control.input.setAttribute("aria-hidden", "true");
    });
  }

  function settings(url, plugins) {
    return {
      plugins: plugins,
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
      // Both are shown inside the listbox, which may hold options only: the
      // message is a disabled option (read out as such), the spinner is hidden
      // from screen readers (the options replacing it are read out instead).
      render: {
        no_results: function () {
          return '<div class="no-results" role="option" aria-disabled="true" aria-selected="false">No match. Try another word.</div>';
        },
        loading: function () {
          return '<div class="spinner-border spinner-border-sm m-2" aria-hidden="true"></div>';
        },
      },
    };
  }

  document.addEventListener("DOMContentLoaded", function () {
    enhance(document);
  });
  document.addEventListener("htmx:load", function (event) {
    enhance(event.detail.elt);
  });
})();
