// The calendar of the console's date fields (templates/console/dates.html): flatpickr in Chinese, writing
// 2026-12-06 and 24-hour times into a text field, never the browser's own date field (which follows the
// browser's language). Typing stays allowed; without this script the fields still take typed dates.

const FORMATS = { date: "Y-m-d", datetime: "Y-m-d H:i" };

for (const input of document.querySelectorAll("input[data-picker]")) {
  const picker = window.flatpickr(input, {
    locale: "zh",
    dateFormat: FORMATS[input.dataset.picker],
    enableTime: input.dataset.picker === "datetime",
    time_24hr: true,
    allowInput: true,
    disableMobile: true, // phones would get their native field back, in the phone's language
  });
  // While a date is typed, flatpickr leaves its calendar open (on a phone it covers the form's buttons):
  // Esc closes it, and so does moving on to another field.
  input.addEventListener("keydown", (event) => {
    if (event.key === "Escape") picker.close();
  });
  input.addEventListener("blur", (event) => {
    if (!picker.calendarContainer.contains(event.relatedTarget)) picker.close();
  });
}
