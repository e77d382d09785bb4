// Posting a page's form from a script, with the session's CSRF token, reporting a refusal in Chinese.

export function csrfToken() {
  return document.querySelector('meta[name="csrf-token"]').content;
}

export async function postForm(form) {
  const response = await fetch(form.action, {
    method: "POST",
    body: new URLSearchParams(new FormData(form)),
    headers: { Accept: "application/json", "X-CSRF-Token": csrfToken() },
  });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({ detail: `操作失败（${response.status}）` }));
    window.alert(problem.detail);
  }
  return response;
}
