import { CreateIntroBodySchema } from "@shared/contracts/intros";
import { type FormEvent, useState } from "react";
import { useLocation, useNavigate } from "react-router";
import { Dialog } from "../../components/dialog";
import { Field, FormActions, FormError } from "../../components/field";
import { toast } from "../../components/toast-store";
import { useForm } from "../../lib/form-errors";
import { loginHref } from "../../lib/urls";
import { useMe } from "../auth/auth.queries";
import { useRequestIntro } from "./intros.queries";

/** "Request intro" to a person, optionally about one of their projects. */
export function RequestIntroButton({
  toUser,
  project,
  className = "btn",
}: {
  toUser: { id: string; name: string };
  project?: { id: string; title: string };
  className?: string;
}) {
  const me = useMe();
  const navigate = useNavigate();
  const location = useLocation();
  const [open, setOpen] = useState(false);
  const request = useRequestIntro(me.data?.id);
  const { errors, validate, fromError, clear, values, setValues, field } = useForm({ message: "" });

  if (me.data?.id === toUser.id) return null;

  const start = () => {
    if (!me.data) {
      navigate(loginHref(location.pathname));
      return;
    }
    clear();
    setOpen(true);
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const body = validate(CreateIntroBodySchema, { toUserId: toUser.id, projectId: project?.id ?? null, ...values });
    if (!body) return;
    request.mutate(body, {
      onSuccess: () => {
        setOpen(false);
        setValues({ message: "" });
        toast.success(`Intro requested from ${toUser.name}`);
      },
      onError: fromError,
    });
  };

  return (
    <>
      <button type="button" className={className} onClick={start}>
        Request intro
      </button>
      <Dialog open={open} title={`Request an intro to ${toUser.name}`} onClose={() => setOpen(false)}>
        <form className="form" onSubmit={submit} noValidate>
          {project ? <p className="muted">About “{project.title}”.</p> : null}
          <FormError message={errors.form} />
          <Field
            multiline
            label="Message"
            rows={4}
            maxLength={1000}
            hint="Say who you are and why you would like to connect."
            autoFocus
            {...field("message")}
          />
          <FormActions cancel={() => setOpen(false)} submitLabel="Send request" pending={request.isPending} />
        </form>
      </Dialog>
    </>
  );
}
