import { useState } from "react";
import { isHttp } from "../lib/urls";

const PALETTE = ["#4f46e5", "#0e7490", "#b45309", "#be185d", "#047857", "#7c3aed", "#1d4ed8", "#c2410c"];

function colorFor(seed: string) {
  let h = 0;
  for (let i = 0; i < seed.length; i++) h = (h * 31 + seed.charCodeAt(i)) >>> 0;
  return PALETTE[h % PALETTE.length];
}

export function initials(name: string) {
  const parts = name.trim().split(/\s+/).filter(Boolean);
  const letters = (parts.length > 1 ? [parts[0], parts[parts.length - 1]] : parts).map((p) => [...(p ?? "")][0] ?? "");
  return letters.join("").toUpperCase() || "?";
}

/** A fixed-size avatar (no layout shift), initials when there is no picture or it fails to load. */
export function Avatar({
  user,
  size = 32,
}: {
  user: { id: string; name: string; avatarUrl: string | null };
  size?: number;
}) {
  const [failed, setFailed] = useState<string | null>(null);
  const style = { width: size, height: size, fontSize: Math.round(size * 0.4) };
  if (isHttp(user.avatarUrl) && failed !== user.avatarUrl) {
    return (
      <img
        className="avatar"
        src={user.avatarUrl}
        alt=""
        width={size}
        height={size}
        style={style}
        loading="lazy"
        referrerPolicy="no-referrer"
        onError={() => setFailed(user.avatarUrl)}
      />
    );
  }
  return (
    <span className="avatar avatar-initials" aria-hidden="true" style={{ ...style, background: colorFor(user.id) }}>
      {initials(user.name)}
    </span>
  );
}
