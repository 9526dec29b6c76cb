export function App() {
  return (
    <main>
      <h1>zai-chat</h1>
    </main>
  );
}
