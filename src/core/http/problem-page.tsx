import { page } from '../html/page.js';

export interface ProblemPageProps {
  readonly status: number;
  readonly title: string;
  readonly detail?: string | undefined;
  /** Said on the page, so that a user can quote it and the logs be searched for it. */
  readonly requestId: string;
  /** Shown only when given, which the error handler does only under DEBUG. */
  readonly debugStack?: string | undefined;
}

/** An error as an HTML page: status and title, the detail, the request id (and the stack under DEBUG). */
export function ProblemPage({ status, title, detail, requestId, debugStack }: ProblemPageProps) {
  return (
    <>
      <h1>
        {status} {title}
      </h1>
      {detail && <p>{detail}</p>}
      <p class="muted">Request id {requestId}</p>
      {debugStack && <pre>{debugStack}</pre>}
    </>
  );
}

/** The whole error page. */
export function problemPage(props: ProblemPageProps): string {
  return page(`${props.status} ${props.title}`, <ProblemPage {...props} />);
}
