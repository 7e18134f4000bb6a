import { SEARCH_MAX_LENGTH } from "@shared/contracts/limits";
import { type FormEvent, useState } from "react";
import { useNavigate, useSearchParams } from "react-router";

/** `/search?q=…&tag=…` for some words and a tag (either may be empty). */
export function searchHref(q: string, tag?: string | null, page = 1) {
  const params = new URLSearchParams();
  if (q.trim()) params.set("q", q.trim());
  if (tag) params.set("tag", tag);
  if (page > 1) params.set("page", String(page));
  return `/search?${params}`;
}

/** The search box of the header: words go to /search. */
export function HeaderSearch() {
  const [params] = useSearchParams();
  const [text, setText] = useState(params.get("q") ?? "");
  const navigate = useNavigate();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    navigate(searchHref(text));
  };
  return (
    <search className="header-search">
      <form onSubmit={submit} className="header-search-form">
        <label htmlFor="header-search" className="header-search-label">
          Search
        </label>
        <input
          id="header-search"
          type="search"
          value={text}
          maxLength={SEARCH_MAX_LENGTH}
          placeholder="Projects, tags…"
          onChange={(e) => setText(e.target.value)}
        />
      </form>
    </search>
  );
}
