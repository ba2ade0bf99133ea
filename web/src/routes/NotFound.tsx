import { NotFoundState } from '@/components/ui/QueryStates';

export default function NotFound() {
  return <NotFoundState what="page" backTo="/" backLabel="Go to dashboard" />;
}
