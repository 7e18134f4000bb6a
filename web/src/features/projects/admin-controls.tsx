import { BADGE_KINDS, BADGE_LABELS, type BadgeKind } from "@shared/contracts/badges";
import type { ProjectDetail } from "@shared/contracts/projects";
import { useId, useState } from "react";
import { FormError } from "../../components/field";
import { toast } from "../../components/toast-store";
import { errorMessage } from "../../lib/api-client";
import { useAwardBadge, useFeatureProject } from "./projects.queries";

/** Feature and badge controls; rendered only for admins (the API enforces it too). */
export function AdminControls({ project }: { project: ProjectDetail }) {
  const feature = useFeatureProject(project.id);
  const award = useAwardBadge(project.id);
  const selectId = useId();
  const available = BADGE_KINDS.filter((k) => !project.badges.some((b) => b.kind === k));
  const [kind, setKind] = useState<BadgeKind | "">("");
  const chosen = kind && available.includes(kind) ? kind : (available[0] ?? "");

  return (
    <section className="card admin-panel" aria-labelledby={`${selectId}-title`}>
      <h2 id={`${selectId}-title`} className="card-title">
        Admin
      </h2>
      <button
        type="button"
        className="btn btn-block"
        disabled={feature.isPending}
        onClick={() => feature.mutate(!project.featured)}
      >
        {project.featured ? "Unfeature" : "Feature"}
      </button>
      {available.length > 0 ? (
        <form
          className="award-form"
          onSubmit={(e) => {
            e.preventDefault();
            if (!chosen) return;
            award.mutate(chosen, {
              onSuccess: () => toast.success(`Awarded ${BADGE_LABELS[chosen]}`),
            });
          }}
        >
          <div className="field">
            <label htmlFor={selectId}>Badge</label>
            <select id={selectId} value={chosen} onChange={(e) => setKind(e.target.value as BadgeKind)}>
              {available.map((k) => (
                <option key={k} value={k}>
                  {BADGE_LABELS[k]}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" className="btn btn-block" disabled={award.isPending}>
            Award badge
          </button>
          <FormError message={award.isError ? errorMessage(award.error) : null} />
        </form>
      ) : (
        <p className="muted">This project has every badge.</p>
      )}
    </section>
  );
}
